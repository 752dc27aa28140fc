/*
 * lib/indicator/prefilter_simd.h - the vector prefilter, written once and
 * included by prefilter.c twice: for SSE2 (16-byte blocks) and for AVX2
 * (32-byte blocks).  The includer defines
 *
 *   PF_NAME       the function's name          PF_W      bytes per block
 *   PF_ATTR       its attributes (target)      PF_MIN    shortest text handled
 *   V             the vector type
 *   LOADU(p) SPLAT(c) ZERO() AND(a,b) OR(a,b) EQ(a,b) GT(a,b) LT(a,b)
 *   MASK(v)       one bit per byte (uint32_t)
 *   NEXT1(v)      each byte replaced by the one after it, 0 after the last
 *   PREV1(v), PREV2(v), PREV3(v)  each byte replaced by the one 1/2/3 before
 *                 it, 0 before the first
 *
 * It answers exactly what nt__prefilter_ref answers (tests compare them).
 */

PF_ATTR static int PF_NAME(const char *text, size_t len, nt__survey *sv)
{
    const unsigned char *u = (const unsigned char *)text;
    const V zero = ZERO();
    const uint32_t full = (uint32_t)((((uint64_t)1) << PF_W) - 1);
    /* Survey accumulators (0xFF bytes where the class occurred), and
     * necessary conditions for "://" (':' before '/') and "www." ("ww"),
     * checked exactly after the loop when they occurred. */
    V digit_acc = zero, at_acc = zero, dot_acc = zero, cs_acc = zero, ww_acc = zero;
    uint64_t runs = 0; /* letters and digits of the last 64 / PF_W blocks, from bit 32 down */
    int is_long = 0;
    uint64_t carry = 0; /* continuation bytes expected at the next block's start */
    for (size_t i = 0; i < len; i += PF_W) {
        /* Bit k of every mask below is byte i + k.  The last block is loaded
         * so that it ends at the end of the text, overlapping the one
         * before; the masks are shifted to drop the bytes already seen (the
         * accumulators may see them twice), and the byte after the last one
         * reads as 0. */
        V v, nx; /* the bytes, and the byte after each */
        unsigned shift = 0;
        if (len - i > PF_W) {
            v = LOADU(u + i);
            nx = LOADU(u + i + 1);
        } else {
            shift = (unsigned)(PF_W - (len - i));
            v = LOADU(u + len - PF_W);
            nx = NEXT1(v);
        }
        /* The three bytes before each (zeros before the text: v starts at
         * u + i - shift, which is 0 or at least 3 as len >= PF_MIN). */
        V p1, p2, p3;
        if (i - shift > 0) {
            p1 = LOADU(u + i - shift - 1);
            p2 = LOADU(u + i - shift - 2);
            p3 = LOADU(u + i - shift - 3);
        } else {
            p1 = PREV1(v);
            p2 = PREV2(v);
            p3 = PREV3(v);
        }
        V vl = OR(v, SPLAT(0x20)), nl = OR(nx, SPLAT(0x20));

        /* The survey. */
        V digit = AND(GT(v, SPLAT('0' - 1)), LT(v, SPLAT('9' + 1)));
        V alpha = AND(GT(vl, SPLAT('a' - 1)), LT(vl, SPLAT('z' + 1)));
        digit_acc = OR(digit_acc, digit);
        at_acc = OR(at_acc, EQ(v, SPLAT('@')));
        /* a '.' before a top-level label's first byte (letter or non-ASCII) */
        V tld = OR(AND(GT(nl, SPLAT('a' - 1)), LT(nl, SPLAT('z' + 1))), LT(nx, zero));
        dot_acc = OR(dot_acc, AND(EQ(v, SPLAT('.')), tld));
        cs_acc = OR(cs_acc, AND(EQ(v, SPLAT(':')), EQ(nx, SPLAT('/'))));
        ww_acc = OR(ww_acc, AND(EQ(vl, SPLAT('w')), EQ(nl, SPLAT('w'))));
        /* A run of 25 letters and digits spans at most two 32-byte or
         * three 16-byte blocks: keep their alnum masks in a 64-bit window
         * (this block from bit 32) and look for 25 ones in a row, each step
         * doubling the length tested. */
        uint64_t alnum = (uint64_t)((MASK(OR(alpha, digit)) >> shift) & (full >> shift));
        runs = (runs >> PF_W) | alnum << 32;
        uint64_t r = runs & (runs >> 1); /* 2 in a row */
        r &= r >> 2;                     /* 4 */
        r &= r >> 4;                     /* 8 */
        r &= r >> 8;                     /* 16 */
        is_long |= (r & (r >> 9)) != 0;  /* 25 */

        /* Where the view may have something to undo.  "hxxp", "h**p" and
         * " dot" are found whole, by their last byte (so 3 bytes after where
         * they start); NUL, '[', '(', '{' by themselves, and below, the lead
         * bytes of the non-ASCII characters the view maps (C2: U+00A0,
         * U+00AD; E2: U+2000-U+206F; E3: U+3000, U+3002; EF: U+FEFF,
         * U+FF01-U+FF61). */
        V q1 = OR(p1, SPLAT(0x20)), q2 = OR(p2, SPLAT(0x20));
        V hxxp = AND(AND(EQ(OR(p3, SPLAT(0x20)), SPLAT('h')), EQ(vl, SPLAT('p'))),
                     OR(AND(EQ(q2, SPLAT('x')), EQ(q1, SPLAT('x'))),
                        AND(EQ(p2, SPLAT('*')), EQ(p1, SPLAT('*')))));
        V dot = AND(AND(EQ(p3, SPLAT(' ')), EQ(q2, SPLAT('d'))),
                    AND(EQ(q1, SPLAT('o')), EQ(vl, SPLAT('t'))));
        for (uint32_t m = MASK(OR(hxxp, dot)) >> shift; m; m &= m - 1)
            if (nt__view_rewrites_at(text, len, i + ctz32(m) - 3))
                return 1;
        V sp = OR(OR(EQ(v, zero), EQ(v, SPLAT('['))), OR(EQ(v, SPLAT('(')), EQ(v, SPLAT('{'))));

        uint32_t nonascii = MASK(v) >> shift;
        if (nonascii | carry) {
            /* UTF-8 well-formedness, as nt__utf8_decode defines it.  As
             * signed bytes: continuation 80-BF = [-128,-65], leads C2-DF =
             * [-62,-33], E0-EF = [-32,-17], F0-F4 = [-16,-12]; C0, C1 and
             * F5-FF are never valid. */
            uint64_t cont = MASK(LT(v, SPLAT(-64))) >> shift;
            uint64_t l2 = MASK(AND(GT(v, SPLAT(-63)), LT(v, SPLAT(-32)))) >> shift;
            uint64_t l3 = MASK(AND(GT(v, SPLAT(-33)), LT(v, SPLAT(-16)))) >> shift;
            uint64_t l4 = MASK(AND(GT(v, SPLAT(-17)), LT(v, SPLAT(-11)))) >> shift;
            /* Every lead announces its continuation bytes; they must be
             * exactly the continuation bytes present. */
            uint64_t expect = carry | l2 << 1 | l3 << 1 | l3 << 2 | l4 << 1 | l4 << 2 | l4 << 3;
            if ((expect & (full >> shift)) != cont)
                return 1;
            carry = expect >> (PF_W - shift); /* past the block (or the text) */
            if (nonascii & ~(cont | l2 | l3 | l4))
                return 1; /* C0, C1, F5-FF */
            /* Overlong, surrogate and beyond U+10FFFF: E0 before 80-9F, ED
             * before A0-BF, F0 before 80-8F, F4 before 90-BF (looked at only
             * when there is an E0, ED or 4-byte lead: not in Vietnamese). */
            V e0 = EQ(v, SPLAT(0xE0)), ed = EQ(v, SPLAT(0xED));
            if (l4 | (MASK(OR(e0, ed)) >> shift)) {
                V bad = OR(OR(AND(e0, LT(nx, SPLAT(-96))), AND(ed, GT(nx, SPLAT(-97)))),
                           OR(AND(EQ(v, SPLAT(0xF0)), LT(nx, SPLAT(-112))),
                              AND(EQ(v, SPLAT(0xF4)), GT(nx, SPLAT(-113)))));
                if (MASK(bad) >> shift)
                    return 1;
            }
            sp = OR(sp, OR(OR(EQ(v, SPLAT(0xC2)), EQ(v, SPLAT(0xE2))),
                           OR(EQ(v, SPLAT(0xE3)), EQ(v, SPLAT(0xEF)))));
        }
        for (uint32_t m = MASK(sp) >> shift; m; m &= m - 1)
            if (nt__view_rewrites_at(text, len, i + ctz32(m)))
                return 1;
    }
    if (carry)
        return 1; /* a sequence cut off by the end of the text */
    sv->digit = MASK(digit_acc) != 0;
    sv->at = MASK(at_acc) != 0;
    sv->dot = MASK(dot_acc) != 0;
    sv->long_word = is_long;
    sv->urls = (MASK(cs_acc) && has_scheme_sep(text, len)) || (MASK(ww_acc) && has_www(text, len));
    return 0;
}
