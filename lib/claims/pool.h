/*
 * lib/claims/pool.h - a string pool: copies of many small strings in a few
 * large blocks, all freed at once.  Claim sets and evaluation sets keep their
 * strings here instead of one malloc each.
 */
#ifndef NT_CLAIMS_POOL_H
#define NT_CLAIMS_POOL_H

#include <stddef.h>

typedef struct nt__strpool {
    char **blocks;
    size_t nblocks, cap;
    size_t used, left; /* in the current block */
} nt__strpool;

/* A NUL-terminated copy of s[0..n) that lives until the pool is released;
 * NULL when out of memory. */
char *nt__strpool_dup(nt__strpool *p, const char *s, size_t n);
void nt__strpool_release(nt__strpool *p);

#endif
