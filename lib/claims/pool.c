/*
 * lib/claims/pool.c - the string pool of pool.h.
 */
#include "claims/pool.h"

#include <stdlib.h>
#include <string.h>

#define BLOCK (256u * 1024u)

char *nt__strpool_dup(nt__strpool *p, const char *s, size_t n)
{
    if (n + 1 > p->left) {
        size_t size = n + 1 > BLOCK ? n + 1 : BLOCK;
        if (p->nblocks == p->cap) {
            size_t ncap = p->cap ? p->cap * 2 : 16;
            char **nb = realloc(p->blocks, ncap * sizeof *nb);
            if (!nb)
                return NULL;
            p->blocks = nb;
            p->cap = ncap;
        }
        char *b = malloc(size);
        if (!b)
            return NULL;
        p->blocks[p->nblocks++] = b;
        p->used = 0;
        p->left = size;
    }
    char *d = p->blocks[p->nblocks - 1] + p->used;
    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    p->used += n + 1;
    p->left -= n + 1;
    return d;
}

void nt__strpool_release(nt__strpool *p)
{
    for (size_t i = 0; i < p->nblocks; i++)
        free(p->blocks[i]);
    free(p->blocks);
    memset(p, 0, sizeof *p);
}
