/*
 * src/server/ratelimit.c - token buckets per client address.
 *
 * Each address has a bucket of `burst` tokens refilled at `rate` per second;
 * a request takes one token or is refused with the seconds until the next
 * one (the Retry-After header).  Buckets live in a fixed open-addressing
 * table split into stripes, each under its own mutex, so pool threads
 * contend only when they serve the same stripe; when a stripe fills, its
 * fullest-refilled (idle) bucket is reused - an idle bucket is as good as a
 * fresh one.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "server.h"

#define STRIPES 16
#define PER_STRIPE 1024

typedef struct bucket {
    uint64_t key; /* XXH3 of the address; 0 = empty */
    double tokens;
    uint64_t last_us;
} bucket;

typedef struct stripe {
    pthread_mutex_t mu;
    bucket b[PER_STRIPE];
} stripe;

struct srv_ratelimit {
    double rate, burst;
    stripe s[STRIPES];
};

nt_err ratelimit_new(double rate, double burst, srv_ratelimit **out)
{
    if (!(rate > 0) || !(burst >= 1) || !out)
        return NT_ERR_INVALID_ARG;
    srv_ratelimit *rl = calloc(1, sizeof *rl);
    if (!rl)
        return NT_ERR_NOMEM;
    rl->rate = rate;
    rl->burst = burst;
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_init(&rl->s[i].mu, NULL);
    *out = rl;
    return NT_OK;
}

void ratelimit_free(srv_ratelimit *rl)
{
    if (!rl)
        return;
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_destroy(&rl->s[i].mu);
    free(rl);
}

unsigned ratelimit_take(srv_ratelimit *rl, const char *client, uint64_t now)
{
    return ratelimit_take_at(rl, client, now, rl->rate, rl->burst);
}

unsigned ratelimit_take_at(srv_ratelimit *rl, const char *client, uint64_t now, double rate,
                           double burst)
{
    uint64_t h = XXH3_64bits(client, strlen(client));
    if (!h)
        h = 1;
    stripe *st = &rl->s[h % STRIPES];
    pthread_mutex_lock(&st->mu);
    size_t home = (size_t)(h / STRIPES) % PER_STRIPE, idx = PER_STRIPE;
    size_t victim = home;
    double best = -1;
    for (size_t k = 0; k < 16; k++) { /* probe a short window */
        size_t i = (home + k) % PER_STRIPE;
        bucket *b = &st->b[i];
        if (b->key == h || b->key == 0) {
            idx = i;
            break;
        }
        double refilled = b->tokens + (double)(now - b->last_us) / 1e6 * rate;
        if (refilled > best) {
            best = refilled;
            victim = i;
        }
    }
    if (idx == PER_STRIPE)
        idx = victim;
    bucket *b = &st->b[idx];
    if (b->key != h) {
        b->key = h;
        b->tokens = burst;
        b->last_us = now;
    }
    double t = b->tokens + (double)(now - b->last_us) / 1e6 * rate;
    if (t > burst)
        t = burst;
    b->last_us = now;
    unsigned wait = 0;
    if (t >= 1.0) {
        b->tokens = t - 1.0;
    } else {
        b->tokens = t;
        wait = (unsigned)ceil((1.0 - t) / rate);
        if (wait == 0)
            wait = 1;
    }
    pthread_mutex_unlock(&st->mu);
    return wait;
}
