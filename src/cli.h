/*
 * src/cli.h - what the niemtin subcommands share: options common to all of
 * them, the user's language, where data/ is, reading the text to work on, and
 * printing errors.  The library never prints; this front end does.
 */
#ifndef NT_CLI_H
#define NT_CLI_H

#include <stddef.h>

#include "niemtin/niemtin.h"

typedef enum cli_lang { CLI_VI = 0, CLI_EN = 1 } cli_lang;

typedef struct cli {
    const char *prog;
    cli_lang lang;
    const char *data_dir; /* --data-dir, $NT_DATA_DIR, or the source tree's data/ */
    int json;             /* --json */
    size_t max_bytes;     /* --max-bytes (0 = library default) */
    int strict;           /* --strict: reject malformed UTF-8 */
    int have_id_key;      /* NIEMTIN_ID_KEY was set */
    nt_registry *registry; /* opened by cli_open_registry; engines look indicators up in it */
    const char *model_path; /* --model: the engine's model instead of data/models/niemtin.model */
    const char *rules_dir;  /* --rules: the rules instead of <data_dir>/rules (NULL: default) */
    nt_banks *registry_banks;
} cli;

/* Pick Vietnamese or English text. */
#define L(c, vi, en) ((c)->lang == CLI_EN ? (en) : (vi))

/* "<data_dir>/<rel>" in a static buffer (one of 4 rotating). */
const char *cli_data_path(const cli *c, const char *rel);

/* Print "niemtin: <msg>: <diag or strerror>" to stderr. */
void cli_error(const cli *c, nt_err rc, const nt_diag *diag, const char *what);

/* The input text from the remaining arguments: words joined by spaces, "-f
 * FILE", or "-" / no argument with stdin not a terminal: standard input.
 * Returns 0 and a malloc'd buffer, or prints a message and returns an exit
 * status (1 or 2). */
int cli_read_input(const cli *c, int argc, char **argv, char **text, size_t *len);

/* Parse a subcommand's options (--json, and --strict when allow_strict) up
 * to the first argument that is not one, or past "--".  Returns the index of
 * the first operand, or -1 after printing a usage error. */
int cli_options(cli *c, const char *cmd, int argc, char **argv, int allow_strict);

/* The national-ID hashing key from $NIEMTIN_ID_KEY (64 hex digits) into
 * key[32], setting c->have_id_key; 0 when unset (a random key is used),
 * non-zero after printing an error when malformed. */
int cli_id_key(cli *c, unsigned char key[32]);

/* A JSON string for raw input bytes: malformed UTF-8 becomes U+FFFD. */
struct json_t;
struct json_t *cli_json_text(const char *s, size_t n);

/* Where compiled rules are cached: $NIEMTIN_CACHE_DIR (empty: no cache), else
 * $XDG_CACHE_HOME/niemtin or ~/.cache/niemtin, created if missing; NULL when
 * there is nowhere to keep it. */
const char *cli_cache_dir(void);

/* Open the early-warning registry at db (NULL: $NIEMTIN_DB, else
 * ./niemtin.db) into c->registry, so engines opened afterwards look every
 * indicator up in it.  With must_exist, a missing file is not created: 0 is
 * returned and c->registry stays NULL (the check then runs without it).
 * The contact key comes from $NIEMTIN_STORE_KEY (64 hex digits) when set.
 * Prints the reason and returns non-zero on failure; cli_close_registry
 * frees it. */
int cli_open_registry(cli *c, const char *db, int must_exist);
void cli_close_registry(cli *c);

/* Open the engine from the data directory (with $NIEMTIN_ID_KEY when set)
 * and a scratch for it; prints the reason and returns non-zero on failure. */
int cli_open_engine(cli *c, nt_engine **eng, nt_check_scratch **sc);

/* Load the shipped tables; print a message and return NULL on failure. */
nt_lexicon *cli_load_teencode(const cli *c);
nt_banks *cli_load_banks(const cli *c);

int cmd_check(cli *c, int argc, char **argv);
int cmd_eval(cli *c, int argc, char **argv);
int cmd_rules(cli *c, int argc, char **argv);
int cmd_normalize(cli *c, int argc, char **argv);
int cmd_extract(cli *c, int argc, char **argv);
int cmd_canon(cli *c, int argc, char **argv);
int cmd_train(cli *c, int argc, char **argv);
int cmd_eval_model(cli *c, int argc, char **argv);
int cmd_eval_levels(cli *c, int argc, char **argv);
int cmd_serve(cli *c, int argc, char **argv);
int cmd_lookup(cli *c, int argc, char **argv);
int cmd_report(cli *c, int argc, char **argv);
int cmd_review(cli *c, int argc, char **argv);
int cmd_import(cli *c, int argc, char **argv);
int cmd_export(cli *c, int argc, char **argv);
int cmd_feed(cli *c, int argc, char **argv);
int cmd_expire(cli *c, int argc, char **argv);
int cmd_user(cli *c, int argc, char **argv);
int cmd_org(cli *c, int argc, char **argv);
int cmd_key(cli *c, int argc, char **argv);
int cmd_settings(cli *c, int argc, char **argv);
int cmd_audit(cli *c, int argc, char **argv);
int cmd_login(cli *c, int argc, char **argv);
int cmd_demo_accounts(cli *c, int argc, char **argv);

/* The acting account for the audit log (src/cmd_auth.c): `as` (--as LOGIN or
 * $NIEMTIN_AS), checked to exist, be enabled and be allowed `need`; without
 * one, the console ("system").  Returns 0, or prints why and returns 1. */
int cli_acting(cli *c, const char *db, const char *as, nt_auth_action need, nt_principal *who);
int cmd_claim(cli *c, int argc, char **argv);

/* The contact key from key_file (or $NIEMTIN_STORE_KEY_FILE) or
 * $NIEMTIN_STORE_KEY (src/cmd_registry.c); *have 0 when none is set.
 * Prints why and returns non-zero when one is malformed. */
int cli_load_store_key(cli *c, const char *key_file, unsigned char key[32], int *have);

/* data/claims-synonyms.tsv (src/cmd_claims.c); NULL when absent, or after a
 * message with *failed set when malformed. */
nt_lexicon *cli_load_claim_synonyms(cli *c, int *failed);

/* The fact-check desk on a database (src/cmd_desk.c), with the lexicons it
 * borrows.  The page URLs of fact-checks come from $NIEMTIN_SITE_URL, the
 * ClaimReview author from $NIEMTIN_ORG_NAME / $NIEMTIN_ORG_URL; $NIEMTIN_NOW
 * fixes the clock.  key_file NULL: the key from the environment (as the
 * registry commands); "": no key (contacts cannot be read or written).  With
 * must_exist, a missing database is not created: 0 is returned with
 * out->desk NULL.  Prints why and returns non-zero on failure. */
typedef struct cli_desk {
    nt_desk *desk;
    nt_lexicon *teencode, *synonyms;
    int64_t now;
} cli_desk;
int cli_desk_open(cli *c, const char *db, const char *key_file, int must_exist, cli_desk *out);
void cli_desk_close(cli_desk *d);
/* `niemtin claim add|submit|list|assign|dismiss|draft|publish|correct|show|
 * import|contact` and `claim match --db` (src/cmd_desk.c); -1 when sub is not
 * one of them. */
int cmd_desk(cli *c, const char *sub, int argc, char **argv);

#endif
