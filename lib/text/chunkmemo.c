/*
 * lib/text/chunkmemo.c - a per-thread memo of what nt__stages_direct writes
 * for a chunk.
 *
 * The chunks normalize.c hands to nt__stages_direct ("I'm", "K.k", "2nd",
 * "&lt;#&gt;", "(word") are written by the general stage-2 code, which is
 * slow next to the one-pass writer.  What it writes for a chunk depends on
 * the chunk's bytes, NT_TEXT_NO_DEOBFUSCATE, the lexicon, whether the token
 * before was a number ("500 k" is no teencode), and on a pending clause
 * boundary only in that the first token gets NT_TOKF_BOUNDARY; every byte it
 * writes maps inside the chunk, except the separator spaces, which map to
 * the gap before their token.  So each token can be remembered with its
 * spans relative to the chunk - its text in NORM and FOLD, its original
 * span, kind and flags, and how its bytes map: as the input's code points
 * (CP), all to its span (UNI, expansions), or byte by byte - and replayed
 * by the one-pass writer (normalize.c): the same chunk in the same state
 * gives the same forms, spans and tokens, byte for byte.
 *
 * Each thread gets a memo on first use (an index of MEMO_SLOTS hashes and a
 * ring of MEMO_RING bytes of entries, freed when the thread exits); without
 * memory for it nothing is remembered.  A key is compared in full before
 * its entry is used.
 */
#include "text/norm_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define MEMO_SLOTS 16384
#define MEMO_RING (512 * 1024)

/* An entry: this header, the key bytes, then per token a nt__memo_tok
 * header followed by its NORM and FOLD bytes and, for NT__MT_EXP, the
 * spans of each (two bytes relative to the chunk per byte). */
typedef struct memo_head {
    uint64_t lexid;
    uint8_t klen, state, ntok;
    uint8_t boundary;  /* c->boundary after */
    int8_t prev_kind;  /* c->prev_kind after */
    uint8_t last_oe;   /* c->last_oe after, relative */
    uint16_t nsum, fsum; /* NORM and FOLD bytes of the tokens */
} memo_head;

typedef struct memo_slot {
    uint64_t hash; /* 0: empty */
    uint64_t at;   /* ring position of the entry, counted from the start */
} memo_slot;

/* The index: MEMO_SLOTS / 2 sets of two slots; a new entry takes the slot
 * whose entry is older. */
typedef struct chunk_memo {
    memo_slot slot[MEMO_SLOTS / 2][2];
    uint64_t head; /* bytes written to the ring so far */
    unsigned char ring[MEMO_RING];
} chunk_memo;

static _Thread_local chunk_memo *memo;
static pthread_key_t memo_key;
static pthread_once_t memo_once = PTHREAD_ONCE_INIT;
static int memo_key_ok;

/* At thread exit: free the memo and forget it (a later call on this thread,
 * from another key's destructor, makes a new one). */
static void memo_free(void *m)
{
    if (m == (void *)memo)
        memo = NULL;
    free(m);
}

static void memo_key_init(void)
{
    memo_key_ok = pthread_key_create(&memo_key, memo_free) == 0;
}

static chunk_memo *memo_get(void)
{
    if (memo)
        return memo;
    pthread_once(&memo_once, memo_key_init);
    if (!memo_key_ok)
        return NULL;
    chunk_memo *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    if (pthread_setspecific(memo_key, m) != 0) {
        free(m);
        return NULL;
    }
    return memo = m;
}

uint64_t nt__chunk_memo_hash(const unsigned char *key, size_t klen, uint64_t lexid, unsigned state)
{
    uint64_t h = XXH3_64bits_withSeed(key, klen, lexid * 4 + state);
    return h + (h == 0);
}

const unsigned char *nt__chunk_memo_find(uint64_t hash, const unsigned char *key, size_t klen,
                                         uint64_t lexid, unsigned state, nt__memo_chunk *out)
{
    chunk_memo *m = memo;
    if (!m || klen > NT__MEMO_KEY_MAX)
        return NULL;
    const memo_slot *set = m->slot[hash & (MEMO_SLOTS / 2 - 1)];
    const memo_slot *sl = set[0].hash == hash ? &set[0] : &set[1];
    if (sl->hash != hash || m->head - sl->at > MEMO_RING)
        return NULL; /* empty, another key, or overwritten since */
    const unsigned char *en = m->ring + sl->at % MEMO_RING;
    memo_head h;
    memcpy(&h, en, sizeof h);
    if (h.lexid != lexid || h.state != state || h.klen != klen ||
        memcmp(en + sizeof h, key, klen) != 0)
        return NULL;
    out->ntok = h.ntok;
    out->boundary = h.boundary;
    out->prev_kind = h.prev_kind;
    out->last_oe = h.last_oe;
    out->nsum = h.nsum;
    out->fsum = h.fsum;
    return en + sizeof h + klen;
}

const unsigned char *nt__chunk_memo_tok(const unsigned char *p, nt__memo_view *v)
{
    memcpy(&v->t, p, sizeof v->t);
    p += sizeof v->t;
    v->norm = p;
    v->fold = p + v->t.nlen;
    p += v->t.nlen + v->t.flen;
    if (v->t.mode == NT__MT_EXP) {
        v->nmap = p;
        v->fmap = p + 2 * (size_t)v->t.nlen;
        p += 2 * ((size_t)v->t.nlen + v->t.flen);
    } else {
        v->nmap = v->fmap = NULL;
    }
    return p;
}

/* How the bytes [from, from + n) of form f map, relative to the chunk at s
 * (which spans [os, oe) in the input): NT__MT_UNI if all to [os, oe),
 * NT__MT_CP if byte by byte as the input's code points from os, else
 * NT__MT_EXP with the spans, relative, in map[2n].  -1 if a span lies
 * outside [s, s + NT__MEMO_OUT_MAX]. */
static int map_mode(const nt__ctx *c, int f, size_t from, size_t n, size_t s, uint32_t os,
                    uint32_t oe, unsigned char *map)
{
    uint32_t so[NT__MEMO_OUT_MAX], eo[NT__MEMO_OUT_MAX];
    nt__form_spans(c, f, from, n, so, eo);
    int uni = 1, cp = 1;
    const unsigned char *d = (const unsigned char *)c->f[f].d + from;
    uint32_t at = os; /* the input code point the next code point maps to */
    for (size_t i = 0; i < n; i++) {
        if (so[i] < s || eo[i] < s || so[i] - s > NT__MEMO_OUT_MAX ||
            eo[i] - s > NT__MEMO_OUT_MAX)
            return -1;
        map[2 * i] = (unsigned char)(so[i] - s);
        map[2 * i + 1] = (unsigned char)(eo[i] - s);
        uni &= so[i] == os && eo[i] == oe;
        if ((d[i] & 0xC0) != 0x80 && i > 0)
            at = eo[i - 1]; /* a new code point: the next input one */
        if (cp && at >= c->len)
            cp = 0;
        if (cp) {
            const unsigned char b = c->in[at];
            const uint32_t cl = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
            cp = so[i] == at && eo[i] == at + cl;
        }
    }
    return uni ? NT__MT_UNI : cp ? NT__MT_CP : NT__MT_EXP;
}

void nt__chunk_memo_remember(const nt__ctx *c, uint64_t hash, uint64_t lexid, unsigned state,
                             size_t s, size_t e, size_t ntok0, int boundary_in)
{
    chunk_memo *m = memo_get();
    const size_t ntok = c->ntok - ntok0;
    if (!m || e - s > NT__MEMO_KEY_MAX || ntok == 0 || ntok > NT__MEMO_TOK_MAX ||
        c->last_oe < s || c->last_oe - s > NT__MEMO_OUT_MAX)
        return;
    /* build the entry on the stack, then copy it into the ring */
    unsigned char buf[sizeof(memo_head) + NT__MEMO_KEY_MAX +
                      NT__MEMO_TOK_MAX * (sizeof(nt__memo_tok) + 3 * 2 * 64)];
    size_t n = sizeof(memo_head), nsum = 0, fsum = 0;
    memcpy(buf + n, c->in + s, e - s);
    n += e - s;
    for (size_t k = 0; k < ntok; k++) {
        const nt_token *tk = &c->tok[ntok0 + k];
        nt__memo_tok t;
        memset(&t, 0, sizeof t);
        const size_t nl = tk->end - tk->start, fl = tk->fend - tk->fstart;
        if (nl > 64 || fl > 64 || tk->ostart < s || tk->oend < s ||
            tk->ostart - s > NT__MEMO_OUT_MAX || tk->oend - s > NT__MEMO_OUT_MAX ||
            tk->kind > 0xFF)
            return;
        t.kind = (uint8_t)tk->kind;
        t.flags = tk->flags;
        if (k == 0 && boundary_in) /* it came from the state: the replay adds it */
            t.flags &= (uint16_t)~NT_TOKF_BOUNDARY;
        t.os = (uint8_t)(tk->ostart - s);
        t.oe = (uint8_t)(tk->oend - s);
        t.nlen = (uint8_t)nl;
        t.flen = (uint8_t)fl;
        unsigned char nmap[2 * 64], fmap[2 * 64];
        const int mn = map_mode(c, NT_FORM_NORM, tk->start, nl, s, tk->ostart, tk->oend, nmap);
        const int mf = map_mode(c, NT_FORM_FOLD, tk->fstart, fl, s, tk->ostart, tk->oend, fmap);
        if (mn < 0 || mf < 0)
            return;
        t.mode = (uint8_t)(mn == mf ? mn : NT__MT_EXP);
        memcpy(buf + n, &t, sizeof t);
        n += sizeof t;
        nsum += nl;
        fsum += fl;
        memcpy(buf + n, c->f[NT_FORM_NORM].d + tk->start, nl);
        n += nl;
        memcpy(buf + n, c->f[NT_FORM_FOLD].d + tk->fstart, fl);
        n += fl;
        if (t.mode == NT__MT_EXP) {
            memcpy(buf + n, nmap, 2 * nl);
            n += 2 * nl;
            memcpy(buf + n, fmap, 2 * fl);
            n += 2 * fl;
        }
    }
    const memo_head h = {lexid,
                         (uint8_t)(e - s),
                         (uint8_t)state,
                         (uint8_t)ntok,
                         (uint8_t)(c->boundary != 0),
                         (int8_t)c->prev_kind,
                         (uint8_t)(c->last_oe - s),
                         (uint16_t)nsum,
                         (uint16_t)fsum};
    memcpy(buf, &h, sizeof h);
    /* into the ring: entries do not wrap; the space is claimed (so that the
     * entries it overwrites are invalid) before the slot points at it */
    size_t off = m->head % MEMO_RING;
    if (off + n > MEMO_RING) {
        m->head += MEMO_RING - off;
        off = 0;
    }
    const uint64_t at = m->head;
    m->head += n;
    memcpy(m->ring + off, buf, n);
    memo_slot *set = m->slot[hash & (MEMO_SLOTS / 2 - 1)];
    memo_slot *sl = set[0].hash == hash ? &set[0]
                    : set[1].hash == hash ? &set[1]
                    : set[0].at <= set[1].at ? &set[0] : &set[1];
    sl->hash = hash;
    sl->at = at;
}
