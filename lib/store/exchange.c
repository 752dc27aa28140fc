/*
 * lib/store/exchange.c - times, SHA-1, name-based UUIDs and field checks for
 * the STIX and CSV readers and the exporter (exchange.h).
 *
 * The one idea: an export must be byte-for-byte reproducible, so ids are
 * derived from the values (UUIDv5) and times are always printed the same way
 * in UTC; and an import must never trust a field, so every one is checked
 * here before it reaches the store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "niemtin/text.h"
#include "store/exchange.h"

/* ---- times ----------------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (*m <= 2));
}

/* n decimal digits at s[*i] into *v. */
static int digits(const char *s, size_t len, size_t *i, int n, unsigned *v)
{
    unsigned x = 0;
    for (int k = 0; k < n; k++, (*i)++) {
        if (*i >= len || s[*i] < '0' || s[*i] > '9')
            return -1;
        x = x * 10 + (unsigned)(s[*i] - '0');
    }
    *v = x;
    return 0;
}

static int expect_char(const char *s, size_t len, size_t *i, char c)
{
    if (*i >= len || s[*i] != c)
        return -1;
    (*i)++;
    return 0;
}

int nt__time_parse(const char *s, size_t n, int64_t *out)
{
    static const unsigned mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned y, mo, d, hh = 0, mi = 0, ss = 0;
    size_t i = 0;
    if (digits(s, n, &i, 4, &y) || expect_char(s, n, &i, '-') || digits(s, n, &i, 2, &mo) ||
        expect_char(s, n, &i, '-') || digits(s, n, &i, 2, &d))
        return -1;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
        return -1;
    if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return -1;
    int64_t off = 0;
    if (i < n) {
        if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
            return -1;
        i++;
        if (digits(s, n, &i, 2, &hh) || expect_char(s, n, &i, ':') || digits(s, n, &i, 2, &mi) ||
            expect_char(s, n, &i, ':') || digits(s, n, &i, 2, &ss))
            return -1;
        if (hh > 23 || mi > 59 || ss > 60) /* 60: a leap second, read as :59 */
            return -1;
        if (ss == 60)
            ss = 59;
        if (i < n && s[i] == '.') {
            size_t k = ++i;
            while (i < n && s[i] >= '0' && s[i] <= '9' && i - k < 9)
                i++;
            if (i == k)
                return -1;
        }
        if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
            i++;
        } else if (i < n && (s[i] == '+' || s[i] == '-')) {
            int sign = s[i] == '-' ? -1 : 1;
            unsigned oh, om;
            i++;
            if (digits(s, n, &i, 2, &oh) || expect_char(s, n, &i, ':') ||
                digits(s, n, &i, 2, &om) || oh > 23 || om > 59)
                return -1;
            off = sign * ((int64_t)oh * 3600 + (int64_t)om * 60);
        }
    }
    if (i != n)
        return -1;
    int64_t t = days_from_civil(y, mo, d) * 86400 + (int64_t)hh * 3600 + (int64_t)mi * 60 + ss;
    t -= off;
    if (t < 0)
        return -1;
    *out = t;
    return 0;
}

void nt__time_format(int64_t t, int millis, char out[32])
{
    if (t < 0)
        t = 0;
    int64_t days = t / 86400, rem = t % 86400;
    int y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(out, 32, "%04d-%02u-%02uT%02u:%02u:%02u%sZ", y, m, d, (unsigned)(rem / 3600),
             (unsigned)(rem / 60 % 60), (unsigned)(rem % 60), millis ? ".000" : "");
}

/* ---- SHA-1 and UUIDv5 --------------------------------------------------------------- */

static uint32_t rol(uint32_t x, int n)
{
    return (x << n) | (x >> (32 - n));
}

static void sha1_block(uint32_t h[5], const unsigned char *p)
{
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 80; i++)
        w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) {
            f = (b & c) | (~b & d);
            k = 0x5A827999;
        } else if (i < 40) {
            f = b ^ c ^ d;
            k = 0x6ED9EBA1;
        } else if (i < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8F1BBCDC;
        } else {
            f = b ^ c ^ d;
            k = 0xCA62C1D6;
        }
        uint32_t t = rol(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = rol(b, 30);
        b = a;
        a = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

void nt__sha1(const void *data, size_t len, unsigned char out[20])
{
    uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    const unsigned char *p = data;
    size_t left = len;
    for (; left >= 64; left -= 64, p += 64)
        sha1_block(h, p);
    unsigned char tail[128] = {0};
    memcpy(tail, p, left);
    tail[left] = 0x80;
    size_t tl = left + 1 + 8 <= 64 ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++)
        tail[tl - 1 - i] = (unsigned char)(bits >> (8 * i));
    sha1_block(h, tail);
    if (tl == 128)
        sha1_block(h, tail + 64);
    for (int i = 0; i < 5; i++) {
        out[4 * i] = (unsigned char)(h[i] >> 24);
        out[4 * i + 1] = (unsigned char)(h[i] >> 16);
        out[4 * i + 2] = (unsigned char)(h[i] >> 8);
        out[4 * i + 3] = (unsigned char)h[i];
    }
}

/* UUIDv5("6ba7b810-9dad-11d1-80b4-00c04fd430c8" (DNS), "niemtin.vn") */
/* = 1a30ae19-f7f2-5eba-b352-4d65ce0db0e1 */
const unsigned char nt__niemtin_uuid_ns[16] = {0x1a, 0x30, 0xae, 0x19, 0xf7, 0xf2, 0x5e, 0xba,
                                               0xb3, 0x52, 0x4d, 0x65, 0xce, 0x0d, 0xb0, 0xe1};

void nt__uuid5(const unsigned char ns[16], const char *name, size_t len, char out[37])
{
    unsigned char buf[16 + 256], h[20];
    unsigned char *b = buf;
    /* names longer than the stack buffer are hashed in two steps' worth of
     * memory: allocate only then */
    unsigned char *heap = NULL;
    if (len > sizeof buf - 16) {
        heap = malloc(16 + len);
        if (!heap) {
            memset(out, '0', 36);
            out[36] = '\0';
            return;
        }
        b = heap;
    }
    memcpy(b, ns, 16);
    memcpy(b + 16, name, len);
    nt__sha1(b, 16 + len, h);
    free(heap);
    h[6] = (unsigned char)((h[6] & 0x0f) | 0x50);
    h[8] = (unsigned char)((h[8] & 0x3f) | 0x80);
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[h[i] >> 4];
        out[o++] = hex[h[i] & 15];
    }
    out[o] = '\0';
}

/* ---- fields ----------------------------------------------------------------------------- */

const char *nt__field_problem(const char *s, size_t n, size_t max, int allow_newline, char *buf,
                              size_t bufsize)
{
    size_t bad;
    if (n > max) {
        snprintf(buf, bufsize, "%zu bytes, more than the limit of %zu", n, max);
        return buf;
    }
    if (nt_utf8_validate(s, n, &bad) != NT_OK) {
        snprintf(buf, bufsize, "malformed UTF-8 at byte %zu", bad + 1);
        return buf;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0x7f || (c < 0x20 && !(allow_newline && (c == '\t' || c == '\n' || c == '\r')))) {
            snprintf(buf, bufsize, "control byte 0x%02x at byte %zu", c, i + 1);
            return buf;
        }
    }
    return NULL;
}
