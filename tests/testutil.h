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

#endif
