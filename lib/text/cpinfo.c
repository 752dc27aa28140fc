/*
 * lib/text/cpinfo.c - precomputed per-code-point facts for the scripts that
 * make up nearly all real messages: U+0000-U+036F (ASCII, Latin-1, Latin
 * Extended-A/B, IPA, spacing modifiers, combining diacritics) and
 * U+1E00-U+1EFF (Latin Extended Additional, the Vietnamese letters).
 *
 * The table is filled once (pthread_once) by asking the very functions the
 * slow path uses - utf8proc's properties, nt__norm_cp, nt__fold_cp,
 * nt__viet_split - so a table hit gives exactly the answer the call would
 * have given; it only saves the call.  Code points outside the covered
 * ranges, or whose answer does not fit an entry, are flagged and go the slow
 * way.  Immutable after initialisation, shared by all threads.
 */
#include "text/text_internal.h"

#include <pthread.h>
#include <utf8proc.h>

nt__cpinfo nt__cpinfo_tab[NT__CPINFO_N];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static int32_t cp_of_index(size_t i)
{
    return i < 0x370 ? (int32_t)i : (int32_t)(0x1E00 + (i - 0x370));
}

int nt__is_emoji_boundclass(int bc)
{
    switch (bc) {
    case UTF8PROC_BOUNDCLASS_EXTENDED_PICTOGRAPHIC:
    case UTF8PROC_BOUNDCLASS_E_ZWG:
    case UTF8PROC_BOUNDCLASS_REGIONAL_INDICATOR:
    case UTF8PROC_BOUNDCLASS_E_BASE:
    case UTF8PROC_BOUNDCLASS_E_BASE_GAZ:
    case UTF8PROC_BOUNDCLASS_E_MODIFIER:
    case UTF8PROC_BOUNDCLASS_GLUE_AFTER_ZWJ:
        return 1;
    default:
        return 0;
    }
}

static void fill_one(nt__cpinfo *e, int32_t cp)
{
    const utf8proc_property_t *p = utf8proc_get_property(cp);
    e->flags = 0;
    if (p->ignorable || p->category == UTF8PROC_CATEGORY_CF)
        e->flags |= NT__CI_INVISIBLE;
    if (nt__is_emoji_boundclass(p->boundclass))
        e->flags |= NT__CI_EMOJI;
    if (p->boundclass == UTF8PROC_BOUNDCLASS_OTHER)
        e->flags |= NT__CI_BC_OTHER;
    if (p->boundclass == UTF8PROC_BOUNDCLASS_PREPEND)
        e->flags |= NT__CI_PREPEND;
    if (cp < 0x300 || (cp >= 0x1E00 && cp <= 0x1EFF) ||
        (p->decomp_seqindex == UINT16_MAX && p->combining_class == 0 && !p->comp_exclusion))
        e->flags |= NT__CI_NFC_ALONE;
    e->cls = (uint8_t)nt__classify_slow(cp);

    int32_t base;
    int tone;
    char ascii;
    e->skel = 0;
    e->vbase = 0;
    e->vtone = 0;
    if (nt__viet_split(cp, &base, &tone, &ascii)) {
        e->skel = ascii;
        if (base >= 0 && base <= 0xFFFF) {
            e->flags |= NT__CI_VIET;
            e->vbase = (uint16_t)base;
            e->vtone = (uint8_t)tone;
        }
    }

    int32_t m[18];
    const long n = nt__norm_cp(cp, m, 18);
    e->norm = n == 1 && m[0] >= 0 && m[0] <= 0xFFFF ? (uint16_t)m[0] : 0;
    if (n == 1 && m[0] >= 0 && m[0] <= 0xFFFF)
        e->flags |= NT__CI_NORM1;

    int32_t f[4];
    const size_t k = nt__fold_cp(cp, f);
    e->nfold = 0xFF;
    e->fold1 = k == 1 && f[0] >= 0 && f[0] < 0x80 ? (char)f[0] : 0;
    e->nskel = 0;
    if (k <= 2 && (k < 1 || (f[0] >= 0 && f[0] <= 0xFFFF)) && (k < 2 || (f[1] >= 0 && f[1] <= 0xFFFF))) {
        e->nfold = (uint8_t)k;
        e->fold[0] = k > 0 ? (uint16_t)f[0] : 0;
        e->fold[1] = k > 1 ? (uint16_t)f[1] : 0;
    }
}

/* NT__CI_FASTLET, from the entries filled before: a non-ASCII code point
 * that is a grapheme cluster and NFC on its own, visible, and whose single
 * norm code point is a table letter with a skeleton and a one-letter ASCII
 * fold (normalize.c's fast path). */
static void mark_fast_letter(nt__cpinfo *e, int32_t cp)
{
    const unsigned need = NT__CI_BC_OTHER | NT__CI_NFC_ALONE | NT__CI_NORM1;
    if (cp < 0x80 || (e->flags & (need | NT__CI_INVISIBLE | NT__CI_PREPEND)) != need)
        return;
    const long mi = nt__cpinfo_index(e->norm);
    if (e->norm == 0 || mi < 0)
        return;
    const nt__cpinfo *m = &nt__cpinfo_tab[mi];
    if (m->cls == NT__C_LETTER && m->skel && m->nfold == 1 && m->fold[0] < 0x80) {
        e->flags |= NT__CI_FASTLET;
        e->nskel = m->skel;
    }
}

static void table_init(void)
{
    nt__viet_init();
    for (size_t i = 0; i < NT__CPINFO_N; i++)
        fill_one(&nt__cpinfo_tab[i], cp_of_index(i));
    for (size_t i = 0; i < NT__CPINFO_N; i++)
        mark_fast_letter(&nt__cpinfo_tab[i], cp_of_index(i));
}

const nt__cpinfo *nt__cpinfo_table(void)
{
    pthread_once(&table_once, table_init);
    return nt__cpinfo_tab;
}
