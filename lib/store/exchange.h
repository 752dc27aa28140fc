/*
 * lib/store/exchange.h - what the STIX and CSV readers (stix.c, csv.c) and the
 * exporter (export.c) share: RFC 3339 times, SHA-1 and name-based UUIDs
 * (RFC 4122 version 5) for stable STIX ids, and the checks every text field
 * from another system goes through.  Internal (nt__).
 */
#ifndef NT_STORE_EXCHANGE_H
#define NT_STORE_EXCHANGE_H

#include <stddef.h>
#include <stdint.h>

#include "niemtin/store.h"

/* Parse an RFC 3339 / ISO 8601 time: "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS"
 * with an optional fraction and "Z" or "+HH:MM" (a space may replace the T;
 * no zone means UTC).  Years 1970..9999.  0 on success, -1 otherwise. */
int nt__time_parse(const char *s, size_t n, int64_t *out);

/* "2026-01-02T03:04:05.000Z" (STIX: UTC, milliseconds) or, with
 * millis = 0, "2026-01-02T03:04:05Z".  out needs 32 bytes. */
void nt__time_format(int64_t t, int millis, char out[32]);

/* SHA-1 (FIPS 180-4) of data: only for name-based UUIDs, never security. */
void nt__sha1(const void *data, size_t len, unsigned char out[20]);

/* RFC 4122 version 5 UUID of name in namespace ns, lower-case with
 * hyphens, NUL-terminated (37 bytes). */
void nt__uuid5(const unsigned char ns[16], const char *name, size_t len, char out[37]);

/* The namespace of NiemTin's STIX ids: UUIDv5(DNS namespace, "niemtin.vn"). */
extern const unsigned char nt__niemtin_uuid_ns[16];

/* Why a field from another system is not acceptable text (malformed UTF-8,
 * a NUL or control byte (allow_newline: tab, CR and LF are fine), more than
 * max bytes), or NULL.  buf holds the message. */
const char *nt__field_problem(const char *s, size_t n, size_t max, int allow_newline, char *buf,
                              size_t bufsize);

/* The two readers behind nt_import_parse_records (same contract). */
nt_err nt__stix_parse(const nt_banks *banks, const nt_import_options *opts, const char *data,
                      size_t len, nt_import_record_fn fn, void *ctx, size_t *other_objects,
                      nt_diag *diag);
nt_err nt__csv_parse(const nt_banks *banks, const nt_import_options *opts, const char *data,
                     size_t len, nt_import_record_fn fn, void *ctx, nt_diag *diag);

/* Longest note (CSV note, STIX name) and joined STIX labels an import keeps. */
#define NT__MAX_NOTE_BYTES 1024u
#define NT__MAX_LABELS_BYTES 1024u

#endif
