/*
 * tests/testutil.h - shared helpers for the cmocka test programs: where the
 * project's data/ and the public datasets are, and reading files.
 */
#ifndef NT_TESTUTIL_H
#define NT_TESTUTIL_H

#include <stddef.h>

/* Path of a file under the project's data/ ($NT_DATA_DIR, else ../data). */
const char *tu_data_path(const char *rel);
/* Path of a file under ../shared/data ($NT_SHARED_DATA), or NULL when that
 * directory is absent (the caller then skips with a message). */
const char *tu_shared_path(const char *rel);
/* Read a whole file (malloc'd, NUL-terminated); NULL if it cannot be read. */
char *tu_read_file(const char *path, size_t *len);

/* Load tests/cases/<name> (one JSON object a line with a "name"; blank lines
 * and lines starting with # skipped) as cmocka tests that run fn with the
 * object as their state.  Fills cases[] (decref them after) and tests[], at
 * most max; returns the count, or -1 after printing why. */
struct json_t;
struct CMUnitTest;
long tu_load_cases(const char *name, void (*fn)(void **), struct json_t **cases,
                   struct CMUnitTest *tests, size_t max);

#endif
