/*
 * lib/store/sqlite_desk.c - the SQLite half of the fact-check desk's
 * operations (nt__desk_ops in store_int.h): items, the tips clustered into
 * them, fact-checks and their corrections, each a few prepared statements
 * over the tables of migration 3 (sqlite.c).
 *
 * The one idea: as for accounts, this file only says how rows are read and
 * written; the workflow, validation, clustering and the audit entries live
 * above it in lib/factcheck.  The rule that a published fact-check changes
 * only through a recorded correction is enforced once more by a trigger of
 * migration 3, so a bug above cannot break it silently.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "store/sqlite_int.h"
#include "store/store_int.h"

enum dstmt {
    D_ITEM_INSERT,
    D_ITEM_UPDATE,
    D_ITEM_GET,
    D_ITEM_LIST,
    D_ITEM_LIST_STATUS,
    D_ITEM_OPEN,
    D_ITEM_COUNTS,
    D_SUB_INSERT,
    D_SUB_LIST,
    D_SUB_CONTACT,
    D_SUB_LINK_ITEM,
    D_FC_INSERT,
    D_FC_UPDATE,
    D_FC_GET,
    D_FC_BY_ITEM,
    D_FC_LIST,
    D_FC_LIST_STATUS,
    D_CORR_INSERT,
    D_CORR_LIST,
    D__COUNT
};

#define ITEM_COLS                                                                                  \
    "i.id, i.text, i.lang, i.status, i.assignee, i.submissions, i.first_seen, i.last_seen, "       \
    "i.status_at, IFNULL(f.id, 0), i.reason"
#define ITEM_FROM " FROM desk_items i LEFT JOIN factchecks f ON f.item_id = i.id "
#define ITEM_ORDER " ORDER BY i.submissions DESC, i.last_seen DESC, i.id DESC "
#define SUB_COLS                                                                                   \
    "id, item_id, text, link, channel, lang, forwarded, score, at, contact_box IS NOT NULL"
#define FC_COLS                                                                                    \
    "f.id, f.item_id, f.status, f.claim, f.lang, f.headline, f.verdict, f.explanation, f.body, "   \
    "f.evidence, f.claim_author, f.claim_date, f.appearance, f.author, f.publisher, "              \
    "f.created_at, f.updated_at, f.published_at, f.corrections, i.submissions"
#define FC_FROM " FROM factchecks f JOIN desk_items i ON i.id = f.item_id "
#define FC_ORDER " ORDER BY f.published_at DESC, f.updated_at DESC, f.id DESC "

const char *const nt__sq_desk_sql[D__COUNT] = {
    [D_ITEM_INSERT] = "INSERT INTO desk_items(text, lang, status, assignee, submissions, "
                      "first_seen, last_seen, status_at, reason) "
                      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [D_ITEM_UPDATE] = "UPDATE desk_items SET text = ?2, lang = ?3, status = ?4, assignee = ?5, "
                      "submissions = ?6, last_seen = ?7, status_at = ?8, reason = ?9 "
                      "WHERE id = ?1",
    [D_ITEM_GET] = "SELECT " ITEM_COLS ITEM_FROM "WHERE i.id = ?1",
    [D_ITEM_LIST] = "SELECT " ITEM_COLS ITEM_FROM ITEM_ORDER "LIMIT ?1 OFFSET ?2",
    [D_ITEM_LIST_STATUS] = "SELECT " ITEM_COLS ITEM_FROM "WHERE i.status = ?3" ITEM_ORDER
                           "LIMIT ?1 OFFSET ?2",
    [D_ITEM_OPEN] = "SELECT " ITEM_COLS ITEM_FROM "WHERE i.status IN (1, 2, 3) ORDER BY i.id",
    [D_ITEM_COUNTS] = "SELECT status, count(*) FROM desk_items GROUP BY status",
    [D_SUB_INSERT] = "INSERT INTO desk_submissions(item_id, text, link, channel, lang, forwarded, "
                     "score, at, contact_nonce, contact_box) "
                     "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [D_SUB_LIST] = "SELECT " SUB_COLS " FROM desk_submissions WHERE item_id = ?1 ORDER BY id "
                   "LIMIT ?2",
    [D_SUB_CONTACT] = "SELECT contact_nonce, contact_box FROM desk_submissions WHERE id = ?1",
    [D_SUB_LINK_ITEM] = "SELECT s.item_id FROM desk_submissions s JOIN desk_items i ON "
                        "i.id = s.item_id WHERE s.link = ?1 AND i.status <> 5 "
                        "ORDER BY s.id DESC LIMIT 1",
    [D_FC_INSERT] = "INSERT INTO factchecks(item_id, status, claim, lang, headline, verdict, "
                    "explanation, body, evidence, claim_author, claim_date, appearance, author, "
                    "publisher, created_at, updated_at, published_at, corrections) "
                    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
                    "?16, ?17, ?18)",
    [D_FC_UPDATE] = "UPDATE factchecks SET status = ?2, claim = ?3, lang = ?4, headline = ?5, "
                    "verdict = ?6, explanation = ?7, body = ?8, evidence = ?9, "
                    "claim_author = ?10, claim_date = ?11, appearance = ?12, author = ?13, "
                    "publisher = ?14, updated_at = ?15, published_at = ?16, corrections = ?17 "
                    "WHERE id = ?1",
    [D_FC_GET] = "SELECT " FC_COLS FC_FROM "WHERE f.id = ?1",
    [D_FC_BY_ITEM] = "SELECT " FC_COLS FC_FROM "WHERE f.item_id = ?1",
    [D_FC_LIST] = "SELECT " FC_COLS FC_FROM FC_ORDER "LIMIT ?1 OFFSET ?2",
    [D_FC_LIST_STATUS] = "SELECT " FC_COLS FC_FROM "WHERE f.status = ?3" FC_ORDER
                         "LIMIT ?1 OFFSET ?2",
    [D_CORR_INSERT] = "INSERT INTO factcheck_corrections(factcheck_id, seq, at, actor, reason, "
                      "fields, before, after) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [D_CORR_LIST] = "SELECT id, seq, at, actor, reason, fields, before, after FROM "
                    "factcheck_corrections WHERE factcheck_id = ?1 ORDER BY seq",
};
const int nt__sq_desk_count = D__COUNT;

#define ST(k) nt__sq_desk_stmt(db, (k))
#define TXT(st, i, v) sqlite3_bind_text((st), (i), (v) ? (v) : "", -1, SQLITE_STATIC)

typedef void (*any_fn)(void);
typedef int (*row_fn)(sqlite3_stmt *st, any_fn fn, void *ctx);

/* Step through the rows of st, calling read_row for each until it returns
 * non-zero; NT_ERR_NOT_FOUND when `want_one` and there was no row. */
static nt_err loop(void *db, sqlite3_stmt *st, row_fn read_row, any_fn fn, void *ctx, int want_one,
                   nt_diag *diag, const char *what)
{
    int rc, rows = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        rows++;
        if (read_row(st, fn, ctx)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return nt__sq_fail(db, diag, rc, what);
    return want_one && rows == 0 ? NT_ERR_NOT_FOUND : NT_OK;
}

static nt_err insert(void *db, sqlite3_stmt *st, int64_t *id, nt_diag *diag, const char *what)
{
    nt_err e = nt__sq_run(db, st, diag, what);
    if (!e && id)
        *id = sqlite3_last_insert_rowid(nt__sq_db(db));
    return e;
}

/* ---- items ------------------------------------------------------------------------ */

static int read_item(sqlite3_stmt *st, any_fn fn, void *ctx)
{
    nt_desk_item it = {.id = sqlite3_column_int64(st, 0),
                       .text = nt__sq_text(st, 1),
                       .lang = nt__sq_text(st, 2),
                       .status = (nt_item_status)sqlite3_column_int(st, 3),
                       .assignee = nt__sq_text(st, 4),
                       .submissions = (uint32_t)sqlite3_column_int64(st, 5),
                       .first_seen = sqlite3_column_int64(st, 6),
                       .last_seen = sqlite3_column_int64(st, 7),
                       .status_at = sqlite3_column_int64(st, 8),
                       .factcheck_id = sqlite3_column_int64(st, 9),
                       .reason = nt__sq_text(st, 10)};
    return ((nt_desk_item_fn)fn)(ctx, &it);
}

static void bind_item(sqlite3_stmt *st, const nt_desk_item *it, int base)
{
    TXT(st, base, it->text);
    TXT(st, base + 1, it->lang);
    sqlite3_bind_int(st, base + 2, (int)it->status);
    TXT(st, base + 3, it->assignee);
    sqlite3_bind_int64(st, base + 4, it->submissions);
}

static nt_err sq_item_insert(void *db, const nt_desk_item *it, int64_t *id, nt_diag *diag)
{
    sqlite3_stmt *st = ST(D_ITEM_INSERT);
    bind_item(st, it, 1);
    sqlite3_bind_int64(st, 6, it->first_seen);
    sqlite3_bind_int64(st, 7, it->last_seen);
    sqlite3_bind_int64(st, 8, it->status_at);
    TXT(st, 9, it->reason);
    return insert(db, st, id, diag, "adding a desk item");
}

static nt_err sq_item_update(void *db, const nt_desk_item *it, nt_diag *diag)
{
    sqlite3_stmt *st = ST(D_ITEM_UPDATE);
    sqlite3_bind_int64(st, 1, it->id);
    bind_item(st, it, 2);
    sqlite3_bind_int64(st, 7, it->last_seen);
    sqlite3_bind_int64(st, 8, it->status_at);
    TXT(st, 9, it->reason);
    return nt__sq_run(db, st, diag, "updating a desk item");
}

static nt_err sq_item_get(void *db, int64_t id, nt_desk_item_fn fn, void *ctx, nt_diag *diag)
{
    sqlite3_stmt *st = ST(D_ITEM_GET);
    sqlite3_bind_int64(st, 1, id);
    return loop(db, st, read_item, (any_fn)fn, ctx, 1, diag, "reading a desk item");
}

static nt_err sq_item_list(void *db, int status, int64_t limit, int64_t offset, nt_desk_item_fn fn,
                           void *ctx, nt_diag *diag)
{
    sqlite3_stmt *st = ST(status ? D_ITEM_LIST_STATUS : D_ITEM_LIST);
    sqlite3_bind_int64(st, 1, limit);
    sqlite3_bind_int64(st, 2, offset);
    if (status)
        sqlite3_bind_int(st, 3, status);
    return loop(db, st, read_item, (any_fn)fn, ctx, 0, diag, "listing desk items");
}

static nt_err sq_item_open(void *db, nt_desk_item_fn fn, void *ctx, nt_diag *diag)
{
    return loop(db, ST(D_ITEM_OPEN), read_item, (any_fn)fn, ctx, 0, diag, "reading open items");
}

static nt_err sq_item_counts(void *db, size_t *counts, nt_diag *diag)
{
    sqlite3_stmt *st = ST(D_ITEM_COUNTS);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int s = sqlite3_column_int(st, 0);
        if (s > 0 && s < NT_ITEM__COUNT)
            counts[s] = (size_t)sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? NT_OK : nt__sq_fail(db, diag, rc, "counting desk items");
}

/* ---- submissions ---------------------------------------------------------------------- */

static int read_sub(sqlite3_stmt *st, any_fn fn, void *ctx)
{
    nt_desk_submission s = {.id = sqlite3_column_int64(st, 0),
                            .item_id = sqlite3_column_int64(st, 1),
                            .text = nt__sq_text(st, 2),
                            .link = nt__sq_text(st, 3),
                            .channel = nt__sq_text(st, 4),
                            .lang = nt__sq_text(st, 5),
                            .forwarded = sqlite3_column_int(st, 6),
                            .score = sqlite3_column_double(st, 7),
                            .at = sqlite3_column_int64(st, 8),
                            .has_contact = sqlite3_column_int(st, 9)};
    return ((nt_desk_submission_fn)fn)(ctx, &s);
}

static nt_err sq_sub_insert(void *db, const nt__sub_row *s, int64_t *id, nt_diag *diag)
{
    sqlite3_stmt *st = ST(D_SUB_INSERT);
    sqlite3_bind_int64(st, 1, s->pub.item_id);
    TXT(st, 2, s->pub.text);
    TXT(st, 3, s->pub.link);
    TXT(st, 4, s->pub.channel);
    TXT(st, 5, s->pub.lang);
    sqlite3_bind_int(st, 6, s->pub.forwarded ? 1 : 0);
    sqlite3_bind_double(st, 7, s->pub.score);
    sqlite3_bind_int64(st, 8, s->pub.at);
    if (s->box) {
        sqlite3_bind_blob(st, 9, s->nonce, (int)s->nonce_len, SQLITE_STATIC);
        sqlite3_bind_blob(st, 10, s->box, (int)s->box_len, SQLITE_STATIC);
    }
    return insert(db, st, id, diag, "recording a tip");
}

static nt_err sq_sub_list(void *db, int64_t item_id, int64_t limit, nt_desk_submission_fn fn,
                          void *ctx, nt_diag *diag)
{
    sqlite3_stmt *st = ST(D_SUB_LIST);
    sqlite3_bind_int64(st, 1, item_id);
    sqlite3_bind_int64(st, 2, limit > 0 ? limit : -1);
    return loop(db, st, read_sub, (any_fn)fn, ctx, 0, diag, "listing tips");
}

static unsigned char *blob_dup(sqlite3_stmt *st, int i, size_t *n)
{
    const void *b = sqlite3_column_blob(st, i);
    int len = sqlite3_column_bytes(st, i);
    *n = 0;
    if (!b || len <= 0)
        return NULL;
    unsigned char *p = malloc((size_t)len);
    if (p) {
        memcpy(p, b, (size_t)len);
        *n = (size_t)len;
    }
    return p;
}

static nt_err sq_sub_contact(void *db, int64_t id, unsigned char **nonce, size_t *nonce_len,
                             unsigned char **box, size_t *box_len, nt_diag *diag)
{
    sqlite3_stmt *st = ST(D_SUB_CONTACT);
    sqlite3_bind_int64(st, 1, id);
    *nonce = *box = NULL;
    *nonce_len = *box_len = 0;
    int rc = sqlite3_step(st);
    nt_err e = NT_OK;
    if (rc == SQLITE_ROW) {
        if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
            *nonce = blob_dup(st, 0, nonce_len);
            *box = blob_dup(st, 1, box_len);
            if (!*nonce || !*box) {
                free(*nonce);
                free(*box);
                *nonce = *box = NULL;
                e = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
            }
        }
    } else if (rc == SQLITE_DONE) {
        e = NT_ERR_NOT_FOUND;
    } else {
        e = nt__sq_fail(db, diag, rc, "reading a tip's contact");
    }
    sqlite3_reset(st);
    return e;
}

static nt_err sq_sub_link_item(void *db, const char *link, int64_t *item_id, nt_diag *diag)
{
    sqlite3_stmt *st = ST(D_SUB_LINK_ITEM);
    TXT(st, 1, link);
    int rc = sqlite3_step(st);
    nt_err e = NT_OK;
    if (rc == SQLITE_ROW)
        *item_id = sqlite3_column_int64(st, 0);
    else if (rc == SQLITE_DONE)
        e = NT_ERR_NOT_FOUND;
    else
        e = nt__sq_fail(db, diag, rc, "finding a tip's link");
    sqlite3_reset(st);
    return e;
}

/* ---- fact-checks ------------------------------------------------------------------------ */

static int read_fc(sqlite3_stmt *st, any_fn fn, void *ctx)
{
    nt__fc_row r;
    memset(&r, 0, sizeof r);
    r.pub.id = sqlite3_column_int64(st, 0);
    r.pub.item_id = sqlite3_column_int64(st, 1);
    r.pub.status = (nt_fc_status)sqlite3_column_int(st, 2);
    r.pub.claim = nt__sq_text(st, 3);
    r.pub.lang = nt__sq_text(st, 4);
    r.pub.headline = nt__sq_text(st, 5);
    r.pub.verdict = (nt_verdict)sqlite3_column_int(st, 6);
    r.pub.explanation = nt__sq_text(st, 7);
    r.pub.body = nt__sq_text(st, 8);
    r.evidence_json = nt__sq_text(st, 9);
    r.pub.claim_author = nt__sq_text(st, 10);
    r.pub.claim_date = nt__sq_text(st, 11);
    r.pub.appearance = nt__sq_text(st, 12);
    r.pub.author = nt__sq_text(st, 13);
    r.pub.publisher = nt__sq_text(st, 14);
    r.pub.created_at = sqlite3_column_int64(st, 15);
    r.pub.updated_at = sqlite3_column_int64(st, 16);
    r.pub.published_at = sqlite3_column_int64(st, 17);
    r.corrections = (uint32_t)sqlite3_column_int64(st, 18);
    r.pub.submissions = (uint32_t)sqlite3_column_int64(st, 19);
    return ((nt__fc_fn)fn)(ctx, &r);
}

/* The fields shared by insert (from ?2) and update (from ?3 after status). */
static void bind_fc_fields(sqlite3_stmt *st, const nt__fc_row *r, int base)
{
    TXT(st, base, r->pub.claim);
    TXT(st, base + 1, r->pub.lang);
    TXT(st, base + 2, r->pub.headline);
    sqlite3_bind_int(st, base + 3, (int)r->pub.verdict);
    TXT(st, base + 4, r->pub.explanation);
    TXT(st, base + 5, r->pub.body);
    sqlite3_bind_text(st, base + 6, r->evidence_json ? r->evidence_json : "[]", -1, SQLITE_STATIC);
    TXT(st, base + 7, r->pub.claim_author);
    TXT(st, base + 8, r->pub.claim_date);
    TXT(st, base + 9, r->pub.appearance);
    TXT(st, base + 10, r->pub.author);
    TXT(st, base + 11, r->pub.publisher);
}

static nt_err sq_fc_insert(void *db, const nt__fc_row *r, int64_t *id, nt_diag *diag)
{
    sqlite3_stmt *st = ST(D_FC_INSERT);
    sqlite3_bind_int64(st, 1, r->pub.item_id);
    sqlite3_bind_int(st, 2, (int)r->pub.status);
    bind_fc_fields(st, r, 3);
    sqlite3_bind_int64(st, 15, r->pub.created_at);
    sqlite3_bind_int64(st, 16, r->pub.updated_at);
    sqlite3_bind_int64(st, 17, r->pub.published_at);
    sqlite3_bind_int64(st, 18, r->corrections);
    return insert(db, st, id, diag, "adding a fact-check");
}

static nt_err sq_fc_update(void *db, const nt__fc_row *r, nt_diag *diag)
{
    sqlite3_stmt *st = ST(D_FC_UPDATE);
    sqlite3_bind_int64(st, 1, r->pub.id);
    sqlite3_bind_int(st, 2, (int)r->pub.status);
    bind_fc_fields(st, r, 3);
    sqlite3_bind_int64(st, 15, r->pub.updated_at);
    sqlite3_bind_int64(st, 16, r->pub.published_at);
    sqlite3_bind_int64(st, 17, r->corrections);
    return nt__sq_run(db, st, diag, "updating a fact-check");
}

static nt_err sq_fc_get(void *db, int64_t id, nt__fc_fn fn, void *ctx, nt_diag *diag)
{
    sqlite3_stmt *st = ST(D_FC_GET);
    sqlite3_bind_int64(st, 1, id);
    return loop(db, st, read_fc, (any_fn)fn, ctx, 1, diag, "reading a fact-check");
}

static nt_err sq_fc_by_item(void *db, int64_t item_id, nt__fc_fn fn, void *ctx, nt_diag *diag)
{
    sqlite3_stmt *st = ST(D_FC_BY_ITEM);
    sqlite3_bind_int64(st, 1, item_id);
    return loop(db, st, read_fc, (any_fn)fn, ctx, 1, diag, "reading a fact-check");
}

static nt_err sq_fc_list(void *db, int status, int64_t limit, int64_t offset, nt__fc_fn fn,
                         void *ctx, nt_diag *diag)
{
    sqlite3_stmt *st = ST(status ? D_FC_LIST_STATUS : D_FC_LIST);
    sqlite3_bind_int64(st, 1, limit);
    sqlite3_bind_int64(st, 2, offset);
    if (status)
        sqlite3_bind_int(st, 3, status);
    return loop(db, st, read_fc, (any_fn)fn, ctx, 0, diag, "listing fact-checks");
}

static nt_err sq_corr_insert(void *db, int64_t fc_id, const nt_fc_correction *c, int64_t *id,
                             nt_diag *diag)
{
    sqlite3_stmt *st = ST(D_CORR_INSERT);
    sqlite3_bind_int64(st, 1, fc_id);
    sqlite3_bind_int64(st, 2, c->seq);
    sqlite3_bind_int64(st, 3, c->at);
    TXT(st, 4, c->actor);
    TXT(st, 5, c->reason);
    TXT(st, 6, c->fields);
    TXT(st, 7, c->before);
    TXT(st, 8, c->after);
    return insert(db, st, id, diag, "recording a correction");
}

typedef int (*corr_fn)(void *ctx, const nt_fc_correction *c);

static int read_corr(sqlite3_stmt *st, any_fn fn, void *ctx)
{
    nt_fc_correction c = {.id = sqlite3_column_int64(st, 0),
                          .seq = (uint32_t)sqlite3_column_int64(st, 1),
                          .at = sqlite3_column_int64(st, 2),
                          .actor = nt__sq_text(st, 3),
                          .reason = nt__sq_text(st, 4),
                          .fields = nt__sq_text(st, 5),
                          .before = nt__sq_text(st, 6),
                          .after = nt__sq_text(st, 7)};
    return ((corr_fn)fn)(ctx, &c);
}

static nt_err sq_corr_list(void *db, int64_t fc_id, corr_fn fn, void *ctx, nt_diag *diag)
{
    sqlite3_stmt *st = ST(D_CORR_LIST);
    sqlite3_bind_int64(st, 1, fc_id);
    return loop(db, st, read_corr, (any_fn)fn, ctx, 0, diag, "reading corrections");
}

const nt__desk_ops nt__sqlite_desk_ops = {
    .item_insert = sq_item_insert,
    .item_update = sq_item_update,
    .item_get = sq_item_get,
    .item_list = sq_item_list,
    .item_open = sq_item_open,
    .item_counts = sq_item_counts,
    .sub_insert = sq_sub_insert,
    .sub_list = sq_sub_list,
    .sub_contact = sq_sub_contact,
    .sub_link_item = sq_sub_link_item,
    .fc_insert = sq_fc_insert,
    .fc_update = sq_fc_update,
    .fc_get = sq_fc_get,
    .fc_by_item = sq_fc_by_item,
    .fc_list = sq_fc_list,
    .corr_insert = sq_corr_insert,
    .corr_list = sq_corr_list,
};
