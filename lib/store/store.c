/*
 * lib/store/store.c - the registry store's policy, above a backend
 * (store_int.h): input validation, the lifecycle, reporters' track records
 * and reputation, contact encryption, and telling the observer (the
 * registry's index) what changed.
 *
 * The one idea: a public write is begin -> backend writes -> audit entry ->
 * commit, and the ids it touched are collected on the way; only after the
 * commit succeeds is the observer told, so the in-memory index never shows a
 * state the database rolled back, and the audit log (lib/audit) never lacks
 * or invents a change.
 */
#include <jansson.h>
#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/diag.h"
#include "niemtin/text.h"
#include "store/store_int.h"

struct nt_store {
    const nt__store_ops *ops;
    const nt__acct_ops *aops; /* accounts and the audit chain, same connection */
    const nt__desk_ops *dops; /* the fact-check desk, same connection */
    void *db;
    int version;
    nt_store_config cfg;
    unsigned char key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
    int have_key;
    nt_store_observer observer;
    void *observer_ctx;
    /* ids touched by the transaction in progress */
    int64_t *touched;
    size_t n_touched, cap_touched;
};

#define CONTACT_AD "niemtin-contact-v1"
#define KEY_CHECK_CONTEXT "ntstorek"

/* ---- names ---------------------------------------------------------------------- */

static const char *const status_names[NT_STATUS__COUNT] = {
    [NT_STATUS_REPORTED] = "reported",   [NT_STATUS_UNDER_REVIEW] = "under_review",
    [NT_STATUS_CONFIRMED] = "confirmed", [NT_STATUS_REJECTED] = "rejected",
    [NT_STATUS_DISPUTED] = "disputed",   [NT_STATUS_CLEARED] = "cleared",
    [NT_STATUS_EXPIRED] = "expired",
};

const char *nt_status_name(nt_status s)
{
    if ((unsigned)s >= NT_STATUS__COUNT || !status_names[s])
        return "unknown";
    return status_names[s];
}

nt_err nt_status_parse(const char *name, nt_status *out)
{
    for (int i = 1; name && i < NT_STATUS__COUNT; i++)
        if (strcmp(name, status_names[i]) == 0) {
            *out = (nt_status)i;
            return NT_OK;
        }
    return NT_ERR_NOT_FOUND;
}

static const char *const action_names[NT_ACTION__COUNT] = {
    [NT_ACTION_REVIEW] = "review",   [NT_ACTION_CONFIRM] = "confirm", [NT_ACTION_REJECT] = "reject",
    [NT_ACTION_DISPUTE] = "dispute", [NT_ACTION_CLEAR] = "clear",     [NT_ACTION_EXPIRE] = "expire",
};

const char *nt_action_name(nt_action a)
{
    if ((unsigned)a >= NT_ACTION__COUNT || !action_names[a])
        return "unknown";
    return action_names[a];
}

nt_err nt_action_parse(const char *name, nt_action *out)
{
    for (int i = 1; name && i < NT_ACTION__COUNT; i++)
        if (strcmp(name, action_names[i]) == 0) {
            *out = (nt_action)i;
            return NT_OK;
        }
    return NT_ERR_NOT_FOUND;
}

const char *nt_source_kind_name(nt_source_kind k)
{
    switch (k) {
    case NT_SOURCE_PUBLIC:
        return "public";
    case NT_SOURCE_MEMBER:
        return "member";
    case NT_SOURCE_IMPORT:
        return "import";
    }
    return "unknown";
}

/* The lifecycle as data: for each action, the statuses it may start from
 * (a bit per status) and where it leads. */
static const struct {
    unsigned from;
    nt_status to;
} lifecycle[NT_ACTION__COUNT] = {
    [NT_ACTION_REVIEW] = {1u << NT_STATUS_REPORTED, NT_STATUS_UNDER_REVIEW},
    [NT_ACTION_CONFIRM] = {(1u << NT_STATUS_REPORTED) | (1u << NT_STATUS_UNDER_REVIEW) |
                               (1u << NT_STATUS_DISPUTED),
                           NT_STATUS_CONFIRMED},
    [NT_ACTION_REJECT] = {(1u << NT_STATUS_REPORTED) | (1u << NT_STATUS_UNDER_REVIEW),
                          NT_STATUS_REJECTED},
    [NT_ACTION_DISPUTE] = {1u << NT_STATUS_CONFIRMED, NT_STATUS_DISPUTED},
    [NT_ACTION_CLEAR] = {1u << NT_STATUS_DISPUTED, NT_STATUS_CLEARED},
    [NT_ACTION_EXPIRE] = {(1u << NT_STATUS_REPORTED) | (1u << NT_STATUS_CONFIRMED),
                          NT_STATUS_EXPIRED},
};

nt_err nt_status_after(nt_status from, nt_action a, nt_status *to)
{
    if ((unsigned)a >= NT_ACTION__COUNT || a == 0 || (unsigned)from >= NT_STATUS__COUNT)
        return NT_ERR_INVALID_ARG;
    if (!(lifecycle[a].from & (1u << from)))
        return NT_ERR_STATE;
    *to = lifecycle[a].to;
    return NT_OK;
}

/* "reported, under_review" - the statuses an action may start from. */
static void allowed_from(nt_action a, char *buf, size_t n)
{
    size_t at = 0;
    buf[0] = '\0';
    for (int s = 1; s < NT_STATUS__COUNT; s++)
        if (lifecycle[a].from & (1u << s))
            at += (size_t)snprintf(buf + at, at < n ? n - at : 0, "%s%s", at ? ", " : "",
                                   status_names[s]);
}

/* ---- reputation ----------------------------------------------------------------------- */

double nt_reputation_weight(nt_source_kind kind, uint32_t confirmed, uint32_t rejected)
{
    double a = kind == NT_SOURCE_MEMBER ? 4.0 : 1.0, b = 1.0;
    return (a + confirmed) / (a + b + (double)confirmed + (double)rejected);
}

double nt_reputation_score(double e0, int64_t t0, int64_t now, double half_life_days)
{
    if (!(e0 > 0.0))
        return 0.0;
    double h = (half_life_days > 0 ? half_life_days : NT_REPUTATION_HALF_LIFE_DAYS) * 86400.0;
    double age = now > t0 ? (double)(now - t0) : 0.0;
    double e = e0 * exp2(-age / h);
    return 100.0 * (1.0 - exp(-e));
}

/* ---- helpers ---------------------------------------------------------------------------- */

int64_t nt_store_now(const nt_store *st)
{
    if (st->cfg.clock)
        return st->cfg.clock(st->cfg.clock_ctx);
    return (int64_t)time(NULL);
}

double nt_store_half_life(const nt_store *st)
{
    return st->cfg.half_life_days;
}

int nt_store_schema_version(const nt_store *st)
{
    return st ? st->version : 0;
}

void nt_store_set_observer(nt_store *st, nt_store_observer fn, void *ctx)
{
    st->observer = fn;
    st->observer_ctx = ctx;
}

void nt__ind_row_release(nt__ind_row *row)
{
    if (!row)
        return;
    free((char *)row->pub.value);
    free((char *)row->pub.status_by);
    row->pub.value = row->pub.status_by = NULL;
}

void nt_store_indicator_release(nt_store_indicator *ind)
{
    if (!ind)
        return;
    free((char *)ind->value);
    free((char *)ind->status_by);
    ind->value = ind->status_by = NULL;
}

/* Check a text field: valid UTF-8, no NUL, at most max bytes; names (line 0)
 * also no control characters. */
static nt_err check_text(const char *field, const char *s, size_t len, size_t max, int is_name,
                         nt_diag *diag)
{
    size_t bad;
    if (len > max)
        return nt__fail(diag, NT_ERR_TOO_BIG, max, "%s: %zu bytes, more than the limit of %zu",
                        field, len, max);
    if (nt_utf8_validate(s, len, &bad) != NT_OK)
        return nt__fail(diag, NT_ERR_UTF8, bad, "%s: malformed UTF-8 at byte %zu", field, bad);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0 || c == 0x7f || (c < 0x20 && (is_name || (c != '\n' && c != '\t' && c != '\r'))))
            return nt__fail(diag, NT_ERR_INVALID, i, "%s: control character at byte %zu", field, i);
    }
    return NT_OK;
}

static nt_err touch(nt_store *st, int64_t id)
{
    if (st->n_touched == st->cap_touched) {
        size_t nc = st->cap_touched ? st->cap_touched * 2 : 64;
        int64_t *p = realloc(st->touched, nc * sizeof *p);
        if (!p)
            return NT_ERR_NOMEM;
        st->touched = p;
        st->cap_touched = nc;
    }
    st->touched[st->n_touched++] = id;
    return NT_OK;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static nt_err begin(nt_store *st, nt_diag *diag)
{
    st->n_touched = 0;
    return st->ops->begin(st->db, diag);
}

typedef struct observe_run {
    nt_store *st;
    int64_t last;
} observe_run;

static int observe_row(void *ctx, const nt__ind_row *row)
{
    observe_run *r = ctx;
    if (row->pub.id > r->last)
        return 1;
    r->st->observer(r->st->observer_ctx, &row->pub);
    return 0;
}

/* Commit, then tell the observer about every touched indicator (read back,
 * each once).  A failed read-back cannot undo the commit; the observer then
 * misses that one indicator until the registry is reopened. */
static nt_err commit(nt_store *st, nt_diag *diag)
{
    nt_err e = st->ops->commit(st->db, diag);
    if (e || !st->observer || st->n_touched == 0) {
        st->n_touched = 0;
        return e;
    }
    qsort(st->touched, st->n_touched, sizeof *st->touched, cmp_i64);
    for (size_t i = 0; i < st->n_touched; i++) {
        if (i && st->touched[i] == st->touched[i - 1])
            continue;
        /* a run of consecutive ids (what an import adds): one range scan */
        size_t j = i;
        while (j + 1 < st->n_touched && st->touched[j + 1] - st->touched[j] <= 1)
            j++;
        int64_t last = st->touched[j];
        if (last - st->touched[i] >= 16) {
            observe_run run = {st, last};
            if (st->ops->ind_list(st->db, 0, st->touched[i] - 1,
                                  (size_t)(last - st->touched[i] + 1), observe_row, &run,
                                  NULL) == NT_OK) {
                i = j;
                continue;
            }
        }
        nt__ind_row row;
        if (st->ops->ind_get(st->db, st->touched[i], &row, NULL) == NT_OK) {
            st->observer(st->observer_ctx, &row.pub);
            nt__ind_row_release(&row);
        }
    }
    st->n_touched = 0;
    return NT_OK;
}

static void rollback(nt_store *st)
{
    st->ops->rollback(st->db);
    st->n_touched = 0;
}

/* A growable vector of ids filled by a backend iteration. */
typedef struct idvec {
    int64_t *v;
    size_t n, cap;
    int oom;
} idvec;

static int idvec_push(void *ctx, int64_t id)
{
    idvec *iv = ctx;
    if (iv->n == iv->cap) {
        size_t nc = iv->cap ? iv->cap * 2 : 16;
        int64_t *p = realloc(iv->v, nc * sizeof *p);
        if (!p) {
            iv->oom = 1;
            return 1;
        }
        iv->v = p;
        iv->cap = nc;
    }
    iv->v[iv->n++] = id;
    return 0;
}

/* ---- opening ---------------------------------------------------------------------------- */

void nt_store_config_init(nt_store_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->busy_timeout_ms = 5000;
    cfg->half_life_days = NT_REPUTATION_HALF_LIFE_DAYS;
}

static void key_check(const unsigned char *key, char hex[65])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)KEY_CHECK_CONTEXT,
                       strlen(KEY_CHECK_CONTEXT), key, 32);
    sodium_bin2hex(hex, 65, h, sizeof h);
}

nt_err nt_store_open(const nt_store_config *cfg, nt_store **out, nt_diag *diag)
{
    nt_err e;
    char *stored = NULL;
    if (!cfg || !cfg->path || !out)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "no database path");
    *out = NULL;
    if (sodium_init() < 0)
        return nt__fail(diag, NT_ERR_INTERNAL, 0, "libsodium failed to initialise");
    nt_store *st = calloc(1, sizeof *st);
    if (!st)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    st->cfg = *cfg;
    if (!(st->cfg.half_life_days > 0))
        st->cfg.half_life_days = NT_REPUTATION_HALF_LIFE_DAYS;
    st->cfg.key = NULL;
    st->ops = &nt__sqlite_store_ops;
    st->aops = &nt__sqlite_acct_ops;
    st->dops = &nt__sqlite_desk_ops;
    if ((e = st->ops->open(&st->cfg, &st->db, &st->version, diag)))
        goto fail;
    if (cfg->key) {
        memcpy(st->key, cfg->key, sizeof st->key);
        st->have_key = 1;
        char want[65];
        key_check(st->key, want);
        e = st->ops->meta_get(st->db, "contact_key_check", &stored, diag);
        if (e == NT_OK && strcmp(stored, want) != 0) {
            e = nt__fail(diag, NT_ERR_STATE, 0,
                         "the store key differs from the key this database's contacts were "
                         "encrypted with");
            goto fail;
        }
        if (e && e != NT_ERR_NOT_FOUND)
            goto fail;
        e = NT_OK;
    }
    free(stored);
    *out = st;
    return NT_OK;
fail:
    free(stored);
    nt_store_close(st);
    return e;
}

void nt_store_close(nt_store *st)
{
    if (!st)
        return;
    if (st->db)
        st->ops->close(st->db);
    sodium_memzero(st->key, sizeof st->key);
    free(st->touched);
    free(st);
}

/* ---- for lib/auth and lib/audit (store_int.h) ------------------------------------------------ */

const nt__store_ops *nt__store_core(nt_store *st, void **db)
{
    *db = st->db;
    return st->ops;
}

const nt__acct_ops *nt__store_acct(nt_store *st, void **db)
{
    *db = st->db;
    return st->aops;
}

const nt__desk_ops *nt__store_desk(nt_store *st, void **db)
{
    *db = st->db;
    return st->dops;
}

nt_err nt__store_seal(nt_store *st, const char *plain, unsigned char nonce[NT__NONCE_BYTES],
                      unsigned char **box, size_t *box_len, nt_diag *diag)
{
    _Static_assert(NT__NONCE_BYTES == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, "nonce");
    *box = NULL;
    *box_len = 0;
    if (!st->have_key)
        return nt__fail(diag, NT_ERR_STATE, 0,
                        "contact: no store key (NIEMTIN_STORE_KEY or a key file) to encrypt it "
                        "with; contacts are never stored in clear");
    size_t cl = strlen(plain);
    unsigned long long bl = 0;
    unsigned char *b = malloc(cl + crypto_aead_xchacha20poly1305_ietf_ABYTES);
    if (!b)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    randombytes_buf(nonce, NT__NONCE_BYTES);
    crypto_aead_xchacha20poly1305_ietf_encrypt(b, &bl, (const unsigned char *)plain, cl,
                                               (const unsigned char *)CONTACT_AD,
                                               strlen(CONTACT_AD), NULL, nonce, st->key);
    char want[65];
    key_check(st->key, want);
    nt_err e = st->ops->meta_set(st->db, "contact_key_check", want, diag);
    if (e) {
        free(b);
        return e;
    }
    *box = b;
    *box_len = (size_t)bl;
    return NT_OK;
}

nt_err nt__store_unseal(nt_store *st, const unsigned char *nonce, size_t nonce_len,
                        const unsigned char *box, size_t box_len, const char *what, char **plain,
                        nt_diag *diag)
{
    *plain = NULL;
    if (!st->have_key)
        return nt__fail(diag, NT_ERR_STATE, 0, "no store key to decrypt contacts with");
    if (nonce_len != crypto_aead_xchacha20poly1305_ietf_NPUBBYTES ||
        box_len < crypto_aead_xchacha20poly1305_ietf_ABYTES)
        return nt__fail(diag, NT_ERR_IO, 0, "%s: the stored contact is damaged", what);
    char *m = malloc(box_len - crypto_aead_xchacha20poly1305_ietf_ABYTES + 1);
    unsigned long long ml = 0;
    if (!m)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)m, &ml, NULL, box, box_len,
                                                   (const unsigned char *)CONTACT_AD,
                                                   strlen(CONTACT_AD), nonce, st->key) != 0) {
        free(m);
        return nt__fail(diag, NT_ERR_STATE, 0, "%s: the contact does not decrypt with this key",
                        what);
    }
    m[ml] = '\0';
    *plain = m;
    return NT_OK;
}

nt_err nt__store_begin(nt_store *st, nt_diag *diag)
{
    return begin(st, diag);
}

nt_err nt__store_commit(nt_store *st, nt_diag *diag)
{
    return commit(st, diag);
}

void nt__store_rollback(nt_store *st)
{
    rollback(st);
}

nt_err nt__store_check_text(const char *field, const char *s, size_t len, size_t max, int is_name,
                            nt_diag *diag)
{
    return check_text(field, s, len, max, is_name, diag);
}

/* ---- audit entries of registry writes ----------------------------------------------------------
 * One entry per public write, appended last in its transaction.  Details
 * never hold evidence, contacts or citizens' names: an entry cannot be
 * erased (docs/accounts.md). */

/* json_dumps (compact, keys sorted) and decref; NULL when out of memory. */
static char *details_of(json_t *j)
{
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(j);
    return s;
}

static nt_err audit_write(nt_store *st, int64_t at, const char *actor, const char *action,
                          const char *object, json_t *details, nt_diag *diag)
{
    char *d = details_of(details);
    if (!d)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    nt_err e = nt__audit_append(st, at, actor, action, object, d, diag);
    free(d);
    return e;
}

static void jset_str(json_t *j, const char *k, const char *v)
{
    if (j && v)
        json_object_set_new(j, k, json_string(v));
}

static void jset_int(json_t *j, const char *k, json_int_t v)
{
    if (j)
        json_object_set_new(j, k, json_integer(v));
}

/* ---- canonical values -------------------------------------------------------------------- */

nt_err nt_store_canonical(const nt_store *st, nt_ind_type type, const char *in, size_t len,
                          char **out, nt_diag *diag)
{
    return nt__store_canonical(st ? st->cfg.banks : NULL, type, in, len, out, diag);
}

nt_err nt__store_canonical(const nt_banks *banks, nt_ind_type type, const char *in, size_t len,
                           char **out, nt_diag *diag)
{
    char *c = NULL;
    *out = NULL;
    if (type == NT_IND_NATIONAL_ID)
        return nt__fail(diag, NT_ERR_UNSUPPORTED, 0,
                        "national ID numbers are personal data and are not kept in the registry");
    if ((unsigned)type == 0 || type >= NT_IND__COUNT)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "unknown indicator type %d", (int)type);
    nt_err e = nt_canon(type, banks, in, len, &c, diag);
    if (e)
        return e;
    if (type == NT_IND_URL) {
        const char *p = strstr(c, "://");
        if (p) {
            p += 3;
            memmove(c, p, strlen(p) + 1);
        }
    }
    *out = c;
    return NT_OK;
}

/* ---- reputation and track records ---------------------------------------------------------- */

typedef struct score_acc {
    double e, half_life;
    int64_t now;
    uint32_t reports, reporters;
} score_acc;

static int score_add(void *ctx, const nt__reporter_stat *r)
{
    score_acc *a = ctx;
    double w = nt_reputation_weight(r->kind, r->confirmed, r->rejected);
    if (w > NT_REPUTATION_CAP)
        w = NT_REPUTATION_CAP;
    double age = a->now > r->last_at ? (double)(a->now - r->last_at) : 0.0;
    a->e += w * exp2(-age / (a->half_life * 86400.0));
    a->reports += r->reports;
    a->reporters++;
    return 0;
}

/* Recompute an indicator's counts and reputation evidence as of now. */
static nt_err recompute(nt_store *st, nt__ind_row *row, int64_t now, nt_diag *diag)
{
    score_acc a = {.half_life = st->cfg.half_life_days, .now = now};
    nt_err e = st->ops->reporter_stats(st->db, row->pub.id, score_add, &a, diag);
    if (e)
        return e;
    row->pub.score_e = a.e;
    row->pub.score_at = now;
    row->pub.n_reports = a.reports;
    row->pub.n_reporters = a.reporters;
    return NT_OK;
}

/* Recompute and save the indicators whose reporters' track records changed. */
static nt_err cascade(nt_store *st, const idvec *reporters, int64_t skip, int64_t now,
                      nt_diag *diag)
{
    idvec inds = {0};
    nt_err e = NT_OK;
    for (size_t i = 0; i < reporters->n && !e; i++)
        e = st->ops->reporter_indicators(st->db, reporters->v[i], idvec_push, &inds, diag);
    if (!e && inds.oom)
        e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    if (e)
        goto cleanup;
    if (inds.n)
        qsort(inds.v, inds.n, sizeof *inds.v, cmp_i64);
    for (size_t i = 0; i < inds.n; i++) {
        if ((i && inds.v[i] == inds.v[i - 1]) || inds.v[i] == skip)
            continue;
        nt__ind_row row;
        if ((e = st->ops->ind_get(st->db, inds.v[i], &row, diag)))
            goto cleanup;
        e = recompute(st, &row, now, diag);
        if (!e)
            e = st->ops->ind_update(st->db, &row, diag);
        nt__ind_row_release(&row);
        if (!e && touch(st, inds.v[i]))
            e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
        if (e)
            goto cleanup;
    }
cleanup:
    free(inds.v);
    return e;
}

static int resolution_of(nt_status s, int old)
{
    switch (s) {
    case NT_STATUS_CONFIRMED:
    case NT_STATUS_DISPUTED:
        return 1;
    case NT_STATUS_REJECTED:
    case NT_STATUS_CLEARED:
        return -1;
    case NT_STATUS_EXPIRED:
        return old;
    default:
        return 0;
    }
}

/* Move row to status `to`: update it, its reporters' track records (and the
 * reputation of everything they reported), and write the event and the feed
 * entry.  row is saved. */
static nt_err set_status(nt_store *st, nt__ind_row *row, nt_status to, const char *actor,
                         const char *action, const char *reason, int64_t now, nt_diag *diag)
{
    nt_err e;
    idvec reps = {0};
    nt_status from = row->pub.status;
    int res = resolution_of(to, row->resolution);
    int dc = (res == 1) - (row->resolution == 1), dr = (res == -1) - (row->resolution == -1);

    row->pub.status = to;
    row->pub.status_at = now;
    free((char *)row->pub.status_by);
    row->pub.status_by = strdup(actor);
    if (!row->pub.status_by)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    row->resolution = res;
    if (dc || dr) {
        if ((e = st->ops->credited_reporters(st->db, row->pub.id, idvec_push, &reps, diag)))
            goto cleanup;
        if (reps.oom) {
            e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
            goto cleanup;
        }
        for (size_t i = 0; i < reps.n; i++)
            if ((e = st->ops->reporter_adjust(st->db, reps.v[i], dc, dr, diag)))
                goto cleanup;
        if ((e = cascade(st, &reps, row->pub.id, now, diag)))
            goto cleanup;
    }
    if ((e = recompute(st, row, now, diag)) || (e = st->ops->ind_update(st->db, row, diag)))
        goto cleanup;
    nt_store_event ev = {.indicator_id = row->pub.id,
                         .at = now,
                         .actor = actor,
                         .action = action,
                         .from = from,
                         .to = to,
                         .reason = reason};
    if ((e = st->ops->event_add(st->db, &ev, 0, diag)) ||
        (e = st->ops->change_add(st->db, row->pub.id, now, nt_status_name(to), to, diag)))
        goto cleanup;
    if (touch(st, row->pub.id))
        e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
cleanup:
    free(reps.v);
    return e;
}

/* ---- reports --------------------------------------------------------------------------------- */

static const char *const channels[] = {"sms",      "call",  "web", "zalo", "facebook",
                                       "telegram", "email", "app", "other"};

static nt_err check_report(const nt_report_in *in, const char **channel, nt_diag *diag)
{
    nt_err e;
    const char *rep = in->reporter && *in->reporter ? in->reporter : "anonymous";
    if ((e = check_text("reporter", rep, strlen(rep), NT_MAX_NAME_BYTES, 1, diag)))
        return e;
    *channel = in->channel && *in->channel ? in->channel : "other";
    size_t k = 0;
    for (; k < sizeof channels / sizeof channels[0]; k++)
        if (strcmp(*channel, channels[k]) == 0)
            break;
    if (k == sizeof channels / sizeof channels[0])
        return nt__fail(diag, NT_ERR_INVALID, 0,
                        "channel: unknown channel (sms, call, web, zalo, facebook, telegram, "
                        "email, app, other)");
    if (in->evidence && (e = check_text("evidence", in->evidence, in->evidence_len,
                                        NT_MAX_EVIDENCE_BYTES, 0, diag)))
        return e;
    if (in->contact && (e = check_text("contact", in->contact, strlen(in->contact),
                                       NT_MAX_CONTACT_BYTES, 1, diag)))
        return e;
    if (in->amount < 0 || in->amount > NT_MAX_AMOUNT_VND)
        return nt__fail(diag, NT_ERR_INVALID, 0, "amount: must be 0..%lld VND",
                        (long long)NT_MAX_AMOUNT_VND);
    return NT_OK;
}

nt_err nt_store_report_add(nt_store *st, const nt_report_in *in, int64_t *report_id,
                           int64_t *indicator_id, nt_diag *diag)
{
    nt_err e;
    char *canon = NULL;
    unsigned char nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
    unsigned char *box = NULL;
    unsigned long long box_len = 0;
    nt__ind_row row = {0};
    int have_row = 0, in_tx = 0;
    const char *channel;

    if (!st || !in || (!in->value && in->value_len))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    if ((e = check_report(in, &channel, diag)))
        return e;
    const char *rep = in->reporter && *in->reporter ? in->reporter : "anonymous";
    const char *who = in->actor && *in->actor ? in->actor : "public";
    if ((e = check_text("actor", who, strlen(who), NT_MAX_NAME_BYTES, 1, diag)))
        return e;
    int created = 0, reopened = 0;
    if ((e = nt_store_canonical(st, in->type, in->value ? in->value : "", in->value_len, &canon,
                                diag)))
        return e;
    if (in->contact && *in->contact) {
        if (!st->have_key) {
            e = nt__fail(diag, NT_ERR_STATE, 0,
                         "contact: no store key (NIEMTIN_STORE_KEY or a key file) to encrypt it "
                         "with; contacts are never stored in clear");
            goto cleanup;
        }
        size_t cl = strlen(in->contact);
        box = malloc(cl + crypto_aead_xchacha20poly1305_ietf_ABYTES);
        if (!box) {
            e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
            goto cleanup;
        }
        randombytes_buf(nonce, sizeof nonce);
        crypto_aead_xchacha20poly1305_ietf_encrypt(
            box, &box_len, (const unsigned char *)in->contact, cl,
            (const unsigned char *)CONTACT_AD, strlen(CONTACT_AD), NULL, nonce, st->key);
    }

    int64_t now = nt_store_now(st);
    if ((e = begin(st, diag)))
        goto cleanup;
    in_tx = 1;
    if (box) {
        char want[65];
        key_check(st->key, want);
        if ((e = st->ops->meta_set(st->db, "contact_key_check", want, diag)))
            goto cleanup;
    }
    nt_source_kind kind = in->member ? NT_SOURCE_MEMBER : NT_SOURCE_PUBLIC;
    int64_t reporter_id, source_id;
    if ((e = st->ops->reporter_id(st->db, rep, kind, now, &reporter_id, diag)) ||
        (e = st->ops->source_named(st->db, kind, in->member ? rep : "public", now, &source_id,
                                   diag)))
        goto cleanup;
    e = st->ops->ind_find(st->db, in->type, canon, &row, diag);
    if (e == NT_ERR_NOT_FOUND) {
        row.pub.type = in->type;
        row.pub.value = canon;
        row.pub.status = NT_STATUS_REPORTED;
        row.pub.first_seen = row.pub.last_seen = row.pub.status_at = now;
        row.pub.status_by = rep;
        if ((e = st->ops->ind_insert(st->db, &row, diag)))
            goto cleanup;
        nt_store_event ev = {.indicator_id = row.pub.id,
                             .at = now,
                             .actor = rep,
                             .action = "reported",
                             .from = 0,
                             .to = NT_STATUS_REPORTED,
                             .reason = NULL};
        if ((e = st->ops->event_add(st->db, &ev, 0, diag)) ||
            (e = st->ops->change_add(st->db, row.pub.id, now, "added", NT_STATUS_REPORTED, diag)))
            goto cleanup;
        created = 1;
        /* make row own its strings like a fetched one */
        row.pub.value = NULL;
        row.pub.status_by = NULL;
        nt__ind_row fresh;
        if ((e = st->ops->ind_get(st->db, row.pub.id, &fresh, diag)))
            goto cleanup;
        row = fresh;
    } else if (e) {
        goto cleanup;
    } else {
        nt_status s = row.pub.status;
        if (s == NT_STATUS_REJECTED || s == NT_STATUS_CLEARED || s == NT_STATUS_EXPIRED) {
            if ((e = set_status(st, &row, NT_STATUS_REPORTED, rep, "reopened", "a new report", now,
                                diag)))
                goto cleanup;
            reopened = 1;
        }
    }
    have_row = 1;
    int credit = row.pub.status == NT_STATUS_REPORTED || row.pub.status == NT_STATUS_UNDER_REVIEW;
    nt__report_row r = {.indicator_id = row.pub.id,
                        .reporter_id = reporter_id,
                        .source_id = source_id,
                        .channel = channel,
                        .evidence = in->evidence,
                        .evidence_len = in->evidence_len,
                        .amount = in->amount,
                        .reported_at = now,
                        .credit = credit,
                        .nonce = box ? nonce : NULL,
                        .nonce_len = sizeof nonce,
                        .box = box,
                        .box_len = (size_t)box_len};
    int64_t rid;
    if ((e = st->ops->report_insert(st->db, &r, &rid, diag)))
        goto cleanup;
    nt_store_event ev = {.indicator_id = row.pub.id,
                         .at = now,
                         .actor = rep,
                         .action = "report",
                         .from = row.pub.status,
                         .to = row.pub.status,
                         .reason = NULL};
    if ((e = st->ops->event_add(st->db, &ev, rid, diag)))
        goto cleanup;
    row.pub.last_seen = now;
    if ((e = recompute(st, &row, now, diag)) || (e = st->ops->ind_update(st->db, &row, diag)))
        goto cleanup;
    if (touch(st, row.pub.id)) {
        e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
        goto cleanup;
    }
    {
        char object[48];
        json_t *j = json_object();
        snprintf(object, sizeof object, "indicator:%lld", (long long)row.pub.id);
        jset_int(j, "report", rid);
        jset_str(j, "type", nt_ind_type_name(row.pub.type));
        jset_str(j, "value", row.pub.value);
        jset_str(j, "channel", channel);
        jset_int(j, "amount", in->amount);
        jset_str(j, "status", nt_status_name(row.pub.status));
        if (in->member)
            jset_str(j, "member", rep); /* an organisation's name, not a citizen's */
        if (j && created)
            json_object_set_new(j, "new", json_true());
        if (j && reopened)
            json_object_set_new(j, "reopened", json_true());
        if ((e = audit_write(st, now, who, "report.add", object, j, diag)))
            goto cleanup;
    }
    in_tx = 0;
    if ((e = commit(st, diag)))
        goto cleanup;
    if (report_id)
        *report_id = rid;
    if (indicator_id)
        *indicator_id = row.pub.id;
cleanup:
    if (in_tx)
        rollback(st);
    if (have_row)
        nt__ind_row_release(&row);
    free(canon);
    free(box);
    return e;
}

nt_err nt_store_report_contact(nt_store *st, int64_t report_id, char **contact, nt_diag *diag)
{
    unsigned char *nonce = NULL, *box = NULL;
    size_t nl = 0, bl = 0;
    *contact = NULL;
    if (!st->have_key)
        return nt__fail(diag, NT_ERR_STATE, 0, "no store key to decrypt contacts with");
    nt_err e = st->ops->report_contact(st->db, report_id, &nonce, &nl, &box, &bl, diag);
    if (e)
        return e;
    if (!box) {
        e = nt__fail(diag, NT_ERR_NOT_FOUND, 0, "report %lld has no contact", (long long)report_id);
        goto cleanup;
    }
    if (nl != crypto_aead_xchacha20poly1305_ietf_NPUBBYTES ||
        bl < crypto_aead_xchacha20poly1305_ietf_ABYTES) {
        e = nt__fail(diag, NT_ERR_IO, 0, "report %lld: the stored contact is damaged",
                     (long long)report_id);
        goto cleanup;
    }
    char *m = malloc(bl - crypto_aead_xchacha20poly1305_ietf_ABYTES + 1);
    unsigned long long ml = 0;
    if (!m) {
        e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
        goto cleanup;
    }
    if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)m, &ml, NULL, box, bl,
                                                   (const unsigned char *)CONTACT_AD,
                                                   strlen(CONTACT_AD), nonce, st->key) != 0) {
        free(m);
        e = nt__fail(diag, NT_ERR_STATE, 0,
                     "report %lld: the contact does not decrypt with this key",
                     (long long)report_id);
        goto cleanup;
    }
    m[ml] = '\0';
    *contact = m;
cleanup:
    free(nonce);
    free(box);
    return e;
}

/* ---- decisions ------------------------------------------------------------------------------- */

nt_err nt_store_transition(nt_store *st, int64_t id, nt_action action, const char *actor,
                           const char *reason, nt_diag *diag)
{
    nt_err e;
    nt__ind_row row;
    nt_status to;
    if (!st || (unsigned)action >= NT_ACTION__COUNT || action == 0)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "unknown action");
    if (!actor || !*actor)
        return nt__fail(diag, NT_ERR_INVALID, 0, "actor: who decides is required");
    if (!reason || !*reason)
        return nt__fail(diag, NT_ERR_INVALID, 0, "reason: a reason is required");
    if ((e = check_text("actor", actor, strlen(actor), NT_MAX_NAME_BYTES, 1, diag)) ||
        (e = check_text("reason", reason, strlen(reason), NT_MAX_REASON_BYTES, 0, diag)))
        return e;
    int64_t now = nt_store_now(st);
    if ((e = begin(st, diag)))
        return e;
    e = st->ops->ind_get(st->db, id, &row, diag);
    if (e == NT_ERR_NOT_FOUND) {
        rollback(st);
        return nt__fail(diag, NT_ERR_NOT_FOUND, 0, "no indicator with id %lld", (long long)id);
    }
    if (e) {
        rollback(st);
        return e;
    }
    if (nt_status_after(row.pub.status, action, &to) != NT_OK) {
        char allowed[128];
        allowed_from(action, allowed, sizeof allowed);
        e = nt__fail(diag, NT_ERR_STATE, 0, "indicator %lld is %s: cannot %s it (only from %s)",
                     (long long)id, nt_status_name(row.pub.status), nt_action_name(action),
                     allowed);
        goto fail;
    }
    nt_status from = row.pub.status;
    if ((e = set_status(st, &row, to, actor, nt_action_name(action), reason, now, diag)))
        goto fail;
    {
        char object[48], what[32];
        json_t *j = json_object();
        snprintf(object, sizeof object, "indicator:%lld", (long long)id);
        snprintf(what, sizeof what, "indicator.%s", nt_action_name(action));
        jset_str(j, "type", nt_ind_type_name(row.pub.type));
        jset_str(j, "value", row.pub.value);
        jset_str(j, "from", nt_status_name(from));
        jset_str(j, "to", nt_status_name(to));
        jset_str(j, "reason", reason);
        if ((e = audit_write(st, now, actor, what, object, j, diag)))
            goto fail;
    }
    nt__ind_row_release(&row);
    return commit(st, diag);
fail:
    nt__ind_row_release(&row);
    rollback(st);
    return e;
}

nt_err nt_store_expire(nt_store *st, double days, const char *actor, size_t *n, nt_diag *diag)
{
    nt_err e;
    idvec ids = {0};
    char reason[96];
    if (n)
        *n = 0;
    if (!(days >= 0) || days > 36500)
        return nt__fail(diag, NT_ERR_INVALID, 0, "older-than: expected 0..36500 days");
    if (!actor || !*actor)
        actor = "expiry";
    if ((e = check_text("actor", actor, strlen(actor), NT_MAX_NAME_BYTES, 1, diag)))
        return e;
    int64_t now = nt_store_now(st);
    int64_t cutoff = now - (int64_t)(days * 86400.0);
    snprintf(reason, sizeof reason, "no activity for %g days", days);
    if ((e = begin(st, diag)))
        return e;
    if ((e = st->ops->ind_stale(st->db, cutoff, idvec_push, &ids, diag)))
        goto fail;
    if (ids.oom) {
        e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < ids.n; i++) {
        nt__ind_row row;
        if ((e = st->ops->ind_get(st->db, ids.v[i], &row, diag)))
            goto fail;
        e = set_status(st, &row, NT_STATUS_EXPIRED, actor, "expire", reason, now, diag);
        nt__ind_row_release(&row);
        if (e)
            goto fail;
    }
    if (ids.n) {
        json_t *j = json_object(), *arr = json_array();
        for (size_t i = 0; arr && i < ids.n && i < NT_MAX_AUDIT_IDS; i++)
            json_array_append_new(arr, json_integer(ids.v[i]));
        if (j && arr)
            json_object_set_new(j, "ids", arr);
        else
            json_decref(arr);
        if (j)
            json_object_set_new(j, "older_than_days", json_real(days));
        jset_int(j, "expired", (json_int_t)ids.n);
        if (j && ids.n > NT_MAX_AUDIT_IDS)
            json_object_set_new(j, "ids_truncated", json_true());
        if ((e = audit_write(st, now, actor, "registry.expire", "registry", j, diag)))
            goto fail;
    }
    if ((e = commit(st, diag)))
        goto done;
    if (n)
        *n = ids.n;
    goto done;
fail:
    rollback(st);
done:
    free(ids.v);
    return e;
}

/* ---- imports ------------------------------------------------------------------------------------
 */

typedef struct import_item {
    unsigned line;
    nt_ind_type type;
    char *value;
} import_item;

typedef struct import_ctx {
    import_item *items;
    size_t n, cap;
    nt_import_result *res;
    int oom;
} import_ctx;

static int import_collect(void *ctx, unsigned line, nt_ind_type type, const char *canonical,
                          const char *error)
{
    import_ctx *c = ctx;
    c->res->lines++;
    if (error) {
        if (c->res->n_errors < NT_MAX_IMPORT_ERRORS_KEPT) {
            nt_import_error *ie = &c->res->errors[c->res->n_errors++];
            ie->line = line;
            snprintf(ie->message, sizeof ie->message, "%s", error);
        }
        c->res->bad++;
        return 0;
    }
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 1024;
        import_item *p = realloc(c->items, nc * sizeof *p);
        if (!p) {
            c->oom = 1;
            return 1;
        }
        c->items = p;
        c->cap = nc;
    }
    char *v = strdup(canonical);
    if (!v) {
        c->oom = 1;
        return 1;
    }
    c->items[c->n++] = (import_item){line, type, v};
    return 0;
}

static int cmp_item(const void *a, const void *b)
{
    const import_item *x = a, *y = b;
    if (x->type != y->type)
        return (int)x->type - (int)y->type;
    int c = strcmp(x->value, y->value);
    if (c)
        return c;
    return (x->line > y->line) - (x->line < y->line);
}

static nt_err import_records(nt_store *st, const nt_import_options *opts, const char *actor,
                             const char *data, size_t len, nt_import_result *res, nt_diag *diag);

nt_err nt_store_import(nt_store *st, const nt_import_options *opts, const char *data, size_t len,
                       nt_import_result *res, nt_diag *diag)
{
    nt_err e;
    import_ctx c = {0};
    nt_import_result local;
    char actor_buf[NT_MAX_NAME_BYTES + 16];
    if (!res)
        res = &local;
    memset(res, 0, sizeof *res);
    c.res = res;
    if (!st || !opts)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    if (!opts->name || !*opts->name)
        return nt__fail(diag, NT_ERR_INVALID, 0, "import: a source name is required");
    if ((e = check_text("source name", opts->name, strlen(opts->name), NT_MAX_NAME_BYTES, 1, diag)))
        return e;
    if (opts->licence && (e = check_text("licence", opts->licence, strlen(opts->licence),
                                         NT_MAX_EVIDENCE_BYTES, 0, diag)))
        return e;
    const char *actor = opts->actor && *opts->actor ? opts->actor : "import";
    if ((e = check_text("actor", actor, strlen(actor), NT_MAX_NAME_BYTES, 1, diag)))
        return e;
    if (opts->format == NT_IMPORT_STIX || opts->format == NT_IMPORT_CSV)
        return import_records(st, opts, actor, data, len, res, diag);
    e = nt_import_parse(st->cfg.banks, opts, data, len, import_collect, &c, diag);
    if (!e && c.oom)
        e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    if (e)
        goto cleanup;
    if (res->bad && !opts->skip_bad) {
        e = nt__fail_at(diag, NT_ERR_PARSE, opts->file ? opts->file : opts->name,
                        res->errors[0].line, 1, 0,
                        "%s (%zu bad line%s; nothing imported; --skip-bad imports the rest)",
                        res->errors[0].message, res->bad, res->bad == 1 ? "" : "s");
        goto cleanup;
    }
    if (c.n)
        qsort(c.items, c.n, sizeof *c.items, cmp_item);
    snprintf(actor_buf, sizeof actor_buf, "import:%s", opts->name);
    int64_t now = nt_store_now(st);
    if ((e = begin(st, diag)))
        goto cleanup;
    if ((e = st->ops->source_add(st->db, NT_SOURCE_IMPORT, opts->name, opts->file, opts->licence,
                                 now, &res->source_id, diag)))
        goto fail;
    for (size_t i = 0; i < c.n; i++) {
        import_item *it = &c.items[i];
        if (i && it->type == c.items[i - 1].type && strcmp(it->value, c.items[i - 1].value) == 0) {
            res->duplicates++;
            continue;
        }
        char why[64];
        snprintf(why, sizeof why, "listed at line %u", it->line);
        nt__ind_row row;
        e = st->ops->ind_find(st->db, it->type, it->value, &row, diag);
        if (e == NT_ERR_NOT_FOUND) {
            nt__ind_row nr = {0};
            nr.pub.type = it->type;
            nr.pub.value = it->value;
            nr.pub.status = NT_STATUS_CONFIRMED;
            nr.pub.first_seen = nr.pub.last_seen = nr.pub.status_at = now;
            nr.pub.status_by = actor_buf;
            nr.pub.source_id = res->source_id;
            nr.resolution = 1;
            nt_store_event ev = {.at = now,
                                 .actor = actor,
                                 .action = "imported",
                                 .from = 0,
                                 .to = NT_STATUS_CONFIRMED,
                                 .reason = why};
            if ((e = st->ops->ind_insert(st->db, &nr, diag)))
                goto fail;
            ev.indicator_id = nr.pub.id;
            if ((e = st->ops->event_add(st->db, &ev, 0, diag)) ||
                (e = st->ops->change_add(st->db, nr.pub.id, now, "added", NT_STATUS_CONFIRMED,
                                         diag)) ||
                (e = st->ops->listing_add(st->db, nr.pub.id, res->source_id, it->line, diag)))
                goto fail;
            if (touch(st, nr.pub.id)) {
                e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
                goto fail;
            }
            res->added++;
            continue;
        }
        if (e)
            goto fail;
        nt_status s = row.pub.status;
        row.pub.last_seen = now;
        if (s == NT_STATUS_REPORTED || s == NT_STATUS_UNDER_REVIEW || s == NT_STATUS_EXPIRED) {
            row.pub.source_id = res->source_id;
            e = set_status(st, &row, NT_STATUS_CONFIRMED, actor_buf, "imported", why, now, diag);
            res->confirmed++;
        } else {
            e = st->ops->ind_update(st->db, &row, diag);
            if (!e && touch(st, row.pub.id))
                e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
            res->unchanged++;
        }
        if (!e)
            e = st->ops->listing_add(st->db, row.pub.id, res->source_id, it->line, diag);
        nt__ind_row_release(&row);
        if (e)
            goto fail;
    }
    {
        char object[48];
        json_t *j = json_object();
        snprintf(object, sizeof object, "source:%lld", (long long)res->source_id);
        jset_str(j, "name", opts->name);
        jset_str(j, "file", opts->file);
        jset_str(j, "format", opts->format == NT_IMPORT_LIST ? "list" : "chongluadao");
        if (opts->format == NT_IMPORT_LIST)
            jset_str(j, "type", nt_ind_type_name(opts->type));
        jset_int(j, "lines", (json_int_t)res->lines);
        jset_int(j, "added", (json_int_t)res->added);
        jset_int(j, "confirmed", (json_int_t)res->confirmed);
        jset_int(j, "unchanged", (json_int_t)res->unchanged);
        jset_int(j, "duplicates", (json_int_t)res->duplicates);
        jset_int(j, "bad", (json_int_t)res->bad);
        if ((e = audit_write(st, now, actor, "registry.import", object, j, diag)))
            goto fail;
    }
    e = commit(st, diag);
    goto cleanup;
fail:
    rollback(st);
cleanup:
    for (size_t i = 0; i < c.n; i++)
        free(c.items[i].value);
    free(c.items);
    return e;
}

/* ---- reading ------------------------------------------------------------------------------------
 */

nt_err nt_store_find(nt_store *st, nt_ind_type type, const char *canonical, nt_store_indicator *out,
                     nt_diag *diag)
{
    nt__ind_row row;
    if (!st || !canonical || !out)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    nt_err e = st->ops->ind_find(st->db, type, canonical, &row, diag);
    if (e == NT_ERR_NOT_FOUND)
        return nt__fail(diag, e, 0, "%s %s is not in the registry", nt_ind_type_name(type),
                        canonical);
    if (!e)
        *out = row.pub;
    return e;
}

nt_err nt_store_get(nt_store *st, int64_t id, nt_store_indicator *out, nt_diag *diag)
{
    nt__ind_row row;
    if (!st || !out)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    nt_err e = st->ops->ind_get(st->db, id, &row, diag);
    if (e == NT_ERR_NOT_FOUND)
        return nt__fail(diag, e, 0, "no indicator with id %lld", (long long)id);
    if (!e)
        *out = row.pub;
    return e;
}

typedef struct list_ctx {
    nt_store_indicator_fn fn;
    void *ctx;
} list_ctx;

static int list_one(void *ctx, const nt__ind_row *row)
{
    list_ctx *l = ctx;
    return l->fn(l->ctx, &row->pub);
}

nt_err nt_store_list(nt_store *st, nt_status status, int64_t after_id, size_t limit,
                     nt_store_indicator_fn fn, void *ctx, nt_diag *diag)
{
    list_ctx l = {fn, ctx};
    return st->ops->ind_list(st->db, status, after_id, limit, list_one, &l, diag);
}

nt_err nt_store_reports(nt_store *st, int64_t indicator_id, nt_store_report_fn fn, void *ctx,
                        nt_diag *diag)
{
    return st->ops->report_list(st->db, indicator_id, fn, ctx, diag);
}

nt_err nt_store_events(nt_store *st, int64_t indicator_id, nt_store_event_fn fn, void *ctx,
                       nt_diag *diag)
{
    return st->ops->event_list(st->db, indicator_id, fn, ctx, diag);
}

nt_err nt_store_sources(nt_store *st, nt_store_source_fn fn, void *ctx, nt_diag *diag)
{
    return st->ops->source_list(st->db, fn, ctx, diag);
}

typedef struct feed_ctx {
    nt_store_change_fn fn;
    void *ctx;
    int64_t last;
} feed_ctx;

static int feed_one(void *ctx, const nt_store_change *c)
{
    feed_ctx *f = ctx;
    f->last = c->seq;
    return f->fn(f->ctx, c);
}

nt_err nt_store_feed(nt_store *st, int64_t since, size_t limit, nt_store_change_fn fn, void *ctx,
                     int64_t *next, nt_diag *diag)
{
    if (!st || !fn)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    if (since < 0)
        return nt__fail(diag, NT_ERR_INVALID, 0, "since: the cursor must be >= 0");
    if (limit > NT_MAX_FEED_LIMIT)
        return nt__fail(diag, NT_ERR_INVALID, 0, "limit: at most %u changes a request",
                        NT_MAX_FEED_LIMIT);
    if (limit == 0)
        limit = NT_MAX_FEED_LIMIT;
    feed_ctx f = {fn, ctx, since};
    nt_err e = st->ops->change_list(st->db, since, limit, feed_one, &f, diag);
    if (!e && next)
        *next = f.last;
    return e;
}

/* ---- STIX and CSV imports -----------------------------------------------------------------------
 * Records (nt_import_parse_records) rather than lines: each may carry its own
 * first-seen time, its publisher (a source of its own, so lookups name it),
 * a note, and reasons to leave it out (revoked, validity over, a status other
 * than confirmed, low confidence).  The same all-or-nothing rule and the
 * same transitions as a list import. */

typedef struct rec_item {
    size_t seq; /* order in the file: the first of duplicates wins */
    unsigned line, object;
    nt_ind_type type;
    char *value, *source, *reason;
    int64_t first_seen;
} rec_item;

typedef struct rec_ctx {
    rec_item *items;
    size_t n, cap;
    nt_import_result *res;
    const nt_import_options *opts;
    int64_t now;
    int oom;
} rec_ctx;

static int rec_collect(void *ctx, const nt_import_record *r, const nt_import_error *err)
{
    rec_ctx *c = ctx;
    nt_import_result *res = c->res;
    res->lines++;
    if (err) {
        if (res->n_errors < NT_MAX_IMPORT_ERRORS_KEPT)
            res->errors[res->n_errors++] = *err;
        res->bad++;
        return 0;
    }
    if (r->revoked) {
        res->skipped_revoked++;
        return 0;
    }
    if (r->valid_until && r->valid_until <= c->now) {
        res->skipped_expired++;
        return 0;
    }
    if (r->status && r->status != NT_STATUS_CONFIRMED) {
        res->skipped_status++;
        return 0;
    }
    if (r->confidence >= 0 && r->confidence < c->opts->min_confidence) {
        res->skipped_low_confidence++;
        return 0;
    }
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 1024;
        rec_item *p = realloc(c->items, nc * sizeof *p);
        if (!p) {
            c->oom = 1;
            return 1;
        }
        c->items = p;
        c->cap = nc;
    }
    /* the event's reason: where in the file, and what the file said */
    char why[NT_MAX_REASON_BYTES];
    size_t at;
    if (r->object)
        at = (size_t)snprintf(why, sizeof why, "objects[%u] %s", r->object - 1,
                              r->ref ? r->ref : "");
    else
        at = (size_t)snprintf(why, sizeof why, "listed at line %u", r->line);
    if (r->confidence >= 0)
        at += (size_t)snprintf(why + at, sizeof why - at, ", confidence %d", r->confidence);
    if (r->labels && at < sizeof why)
        at += (size_t)snprintf(why + at, sizeof why - at, ", labels: %s", r->labels);
    if (r->note && at < sizeof why)
        snprintf(why + at, sizeof why - at, ": %s", r->note);
    rec_item it = {.seq = c->n,
                   .line = r->line,
                   .object = r->object,
                   .type = r->type,
                   .value = strdup(r->canonical),
                   .source = r->source ? strdup(r->source) : NULL,
                   .reason = strdup(why),
                   .first_seen = r->first_seen};
    if (!it.value || !it.reason || (r->source && !it.source)) {
        free(it.value);
        free(it.source);
        free(it.reason);
        c->oom = 1;
        return 1;
    }
    c->items[c->n++] = it;
    return 0;
}

static int cmp_rec(const void *a, const void *b)
{
    const rec_item *x = a, *y = b;
    if (x->type != y->type)
        return (int)x->type - (int)y->type;
    int c = strcmp(x->value, y->value);
    if (c)
        return c;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* The source row of a publisher named in the file, created on first use
 * (sources maps name -> id). */
static nt_err rec_source(nt_store *st, const nt_import_options *opts, json_t *sources,
                         const char *name, int64_t now, int64_t *id, nt_diag *diag)
{
    json_t *v = json_object_get(sources, name);
    if (v) {
        *id = (int64_t)json_integer_value(v);
        return NT_OK;
    }
    nt_err e = st->ops->source_add(st->db, NT_SOURCE_IMPORT, name, opts->file, opts->licence, now,
                                   id, diag);
    if (!e && json_object_set_new(sources, name, json_integer((json_int_t)*id)))
        e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    return e;
}

static nt_err import_records(nt_store *st, const nt_import_options *opts, const char *actor,
                             const char *data, size_t len, nt_import_result *res, nt_diag *diag)
{
    nt_err e;
    int64_t now = nt_store_now(st);
    rec_ctx c = {.res = res, .opts = opts, .now = now};
    json_t *sources = NULL;
    char actor_buf[NT_MAX_NAME_BYTES + 16];
    e = nt_import_parse_records(st->cfg.banks, opts, data, len, rec_collect, &c,
                                &res->other_objects, diag);
    if (!e && c.oom)
        e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    if (e)
        goto cleanup;
    if (res->bad && !opts->skip_bad) {
        const nt_import_error *f = &res->errors[0];
        const char *file = opts->file ? opts->file : opts->name;
        if (f->object)
            e = nt__fail_at(diag, NT_ERR_PARSE, file, 0, 0, 0,
                            "objects[%u]%s%s: %s (%zu bad record%s; nothing imported; --skip-bad "
                            "imports the rest)",
                            f->object - 1, f->ref[0] ? " " : "", f->ref, f->message, res->bad,
                            res->bad == 1 ? "" : "s");
        else
            e = nt__fail_at(diag, NT_ERR_PARSE, file, f->line, f->column ? f->column : 1, 0,
                            "%s (%zu bad record%s; nothing imported; --skip-bad imports the rest)",
                            f->message, res->bad, res->bad == 1 ? "" : "s");
        goto cleanup;
    }
    if (c.n)
        qsort(c.items, c.n, sizeof *c.items, cmp_rec);
    if (!(sources = json_object())) {
        e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
        goto cleanup;
    }
    if ((e = begin(st, diag)))
        goto cleanup;
    if ((e = rec_source(st, opts, sources, opts->name, now, &res->source_id, diag)))
        goto fail;
    for (size_t i = 0; i < c.n; i++) {
        rec_item *it = &c.items[i];
        if (i && it->type == c.items[i - 1].type && strcmp(it->value, c.items[i - 1].value) == 0) {
            res->duplicates++;
            continue;
        }
        const char *sname = it->source ? it->source : opts->name;
        int64_t source_id;
        if ((e = rec_source(st, opts, sources, sname, now, &source_id, diag)))
            goto fail;
        snprintf(actor_buf, sizeof actor_buf, "import:%s", sname);
        unsigned where = it->object ? it->object : it->line;
        int64_t seen = it->first_seen > 0 && it->first_seen < now ? it->first_seen : now;
        nt__ind_row row;
        e = st->ops->ind_find(st->db, it->type, it->value, &row, diag);
        if (e == NT_ERR_NOT_FOUND) {
            nt__ind_row nr = {0};
            nr.pub.type = it->type;
            nr.pub.value = it->value;
            nr.pub.status = NT_STATUS_CONFIRMED;
            nr.pub.first_seen = seen;
            nr.pub.last_seen = nr.pub.status_at = now;
            nr.pub.status_by = actor_buf;
            nr.pub.source_id = source_id;
            nr.resolution = 1;
            if ((e = st->ops->ind_insert(st->db, &nr, diag)))
                goto fail;
            nt_store_event ev = {.indicator_id = nr.pub.id,
                                 .at = now,
                                 .actor = actor,
                                 .action = "imported",
                                 .from = 0,
                                 .to = NT_STATUS_CONFIRMED,
                                 .reason = it->reason};
            if ((e = st->ops->event_add(st->db, &ev, 0, diag)) ||
                (e = st->ops->change_add(st->db, nr.pub.id, now, "added", NT_STATUS_CONFIRMED,
                                         diag)) ||
                (e = st->ops->listing_add(st->db, nr.pub.id, source_id, where, diag)))
                goto fail;
            if (touch(st, nr.pub.id)) {
                e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
                goto fail;
            }
            res->added++;
            continue;
        }
        if (e)
            goto fail;
        nt_status s = row.pub.status;
        row.pub.last_seen = now;
        if (seen < row.pub.first_seen)
            row.pub.first_seen = seen;
        if (s == NT_STATUS_REPORTED || s == NT_STATUS_UNDER_REVIEW || s == NT_STATUS_EXPIRED) {
            row.pub.source_id = source_id;
            e = set_status(st, &row, NT_STATUS_CONFIRMED, actor_buf, "imported", it->reason, now,
                           diag);
            res->confirmed++;
        } else {
            e = st->ops->ind_update(st->db, &row, diag);
            if (!e && touch(st, row.pub.id))
                e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
            res->unchanged++;
        }
        if (!e)
            e = st->ops->listing_add(st->db, row.pub.id, source_id, where, diag);
        nt__ind_row_release(&row);
        if (e)
            goto fail;
    }
    e = commit(st, diag);
    goto cleanup;
fail:
    rollback(st);
cleanup:
    for (size_t i = 0; i < c.n; i++) {
        free(c.items[i].value);
        free(c.items[i].source);
        free(c.items[i].reason);
    }
    free(c.items);
    json_decref(sources);
    return e;
}
