/*
 * lib/indicator/national_id.c - Vietnamese citizen ID numbers (CCCD, the
 * 12-digit "personal identification number").
 *
 * The one idea: a national ID is personal data that must never be stored or
 * shown, yet reports about the same person must still match.  So the number
 * is checked for structure (a real province code, a plausible century) and
 * then replaced by a keyed BLAKE2b hash (libsodium crypto_generichash, 16
 * bytes) under a 32-byte key the deployment keeps secret: "cccd:<32 hex>".
 * The digits never leave this file.
 *
 * Structure (Circular 07/2016/TT-BCA, Appendix: codes of the provinces where
 * the citizen's birth was registered, and of centuries and sex):
 *   digits 1-3  province code (the 63 codes below)
 *   digit  4    sex and century: 0/1 male/female born 1900-1999, 2/3 2000-2099,
 *               4/5 2100-2199, 6/7 2200-2299, 8/9 1800-1899
 *   digits 5-6  last two digits of the year of birth
 *   digits 7-12 a random serial
 * Centuries 2100+ (4-7) cannot belong to anyone yet and 1800s (8, 9) to no
 * living person, so those are refused: a 12-digit number that fails this is
 * more likely an account or order number than an ID.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/diag.h"
#include "indicator/values.h"
#include "niemtin/indicator.h"

#define CCCD_DIGITS 12
#define HASH_BYTES 16
#define PREFIX "cccd:"
#define PREFIX_LEN 5

/* Province codes of Circular 07/2016/TT-BCA, Appendix I. */
static const unsigned short provinces[] = {
    1,  /* Ha Noi */     2,  /* Ha Giang */   4,  /* Cao Bang */    6,  /* Bac Kan */
    8,  /* Tuyen Quang */ 10, /* Lao Cai */   11, /* Dien Bien */   12, /* Lai Chau */
    14, /* Son La */     15, /* Yen Bai */    17, /* Hoa Binh */    19, /* Thai Nguyen */
    20, /* Lang Son */   22, /* Quang Ninh */ 24, /* Bac Giang */   25, /* Phu Tho */
    26, /* Vinh Phuc */  27, /* Bac Ninh */   30, /* Hai Duong */   31, /* Hai Phong */
    33, /* Hung Yen */   34, /* Thai Binh */  35, /* Ha Nam */      36, /* Nam Dinh */
    37, /* Ninh Binh */  38, /* Thanh Hoa */  40, /* Nghe An */     42, /* Ha Tinh */
    44, /* Quang Binh */ 45, /* Quang Tri */  46, /* Thua Thien Hue */ 48, /* Da Nang */
    49, /* Quang Nam */  51, /* Quang Ngai */ 52, /* Binh Dinh */   54, /* Phu Yen */
    56, /* Khanh Hoa */  58, /* Ninh Thuan */ 60, /* Binh Thuan */  62, /* Kon Tum */
    64, /* Gia Lai */    66, /* Dak Lak */    67, /* Dak Nong */    68, /* Lam Dong */
    70, /* Binh Phuoc */ 72, /* Tay Ninh */   74, /* Binh Duong */  75, /* Dong Nai */
    77, /* Ba Ria - Vung Tau */ 79, /* Ho Chi Minh City */ 80, /* Long An */
    82, /* Tien Giang */ 83, /* Ben Tre */    84, /* Tra Vinh */    86, /* Vinh Long */
    87, /* Dong Thap */  89, /* An Giang */   91, /* Kien Giang */  92, /* Can Tho */
    93, /* Hau Giang */  94, /* Soc Trang */  95, /* Bac Lieu */    96, /* Ca Mau */
};

static int province_ok(unsigned code)
{
    for (size_t i = 0; i < sizeof provinces / sizeof provinces[0]; i++)
        if (provinces[i] == code)
            return 1;
    return 0;
}

/* Already canonical: "cccd:" + 32 lower-case hex digits (accepted in any
 * case), returned lower-cased.  Lets stored values be re-canonicalised. */
static nt_err canonical_form(const char *s, size_t n, char **out, nt_diag *diag)
{
    if (n != PREFIX_LEN + 2 * HASH_BYTES)
        return nt__fail(diag, NT_ERR_INVALID, 0, "cccd: must be followed by %d hex digits",
                        2 * HASH_BYTES);
    char *r = malloc(n + 1);
    if (!r)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    memcpy(r, PREFIX, PREFIX_LEN);
    for (size_t i = PREFIX_LEN; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'F')
            c = (char)(c + 32);
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            free(r);
            return nt__fail(diag, NT_ERR_INVALID, i, "cccd: must be followed by %d hex digits",
                            2 * HASH_BYTES);
        }
        r[i] = c;
    }
    r[n] = '\0';
    *out = r;
    return NT_OK;
}

nt_err nt_canon_national_id(const char *in, size_t len, const unsigned char *key, char **out,
                            nt_diag *diag)
{
    static const unsigned char zero_key[crypto_generichash_KEYBYTES];
    unsigned char d[CCCD_DIGITS];
    unsigned char h[HASH_BYTES];
    size_t n = 0;
    nt_err rc = NT_OK;

    if (!out || (!in && len))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    *out = NULL;
    in = in ? in : "";
    const char *s = nt__val_trim(in, &len);
    if (len == 0)
        return nt__fail(diag, NT_ERR_EMPTY, 0, "empty national ID");
    if (len >= PREFIX_LEN && strncasecmp(s, PREFIX, PREFIX_LEN) == 0)
        return canonical_form(s, len, out, diag);
    if (len > 32)
        return nt__fail(diag, NT_ERR_INVALID, 0, "too long for a national ID");
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            if (n == CCCD_DIGITS) {
                rc = nt__fail(diag, NT_ERR_INVALID, 0, "a national ID has 12 digits, not more");
                goto cleanup;
            }
            d[n++] = (unsigned char)c;
        } else if (c != ' ' && c != '.' && c != '-') {
            rc = nt__fail(diag, NT_ERR_INVALID, 0,
                          "a national ID is 12 digits (spaces, dots and dashes allowed)");
            goto cleanup;
        }
    }
    if (n != CCCD_DIGITS) {
        rc = nt__fail(diag, NT_ERR_INVALID, 0, "a national ID has 12 digits, this has %zu", n);
        goto cleanup;
    }
    unsigned prov = (unsigned)(d[0] - '0') * 100 + (unsigned)(d[1] - '0') * 10 + (unsigned)(d[2] - '0');
    if (!province_ok(prov)) {
        rc = nt__fail(diag, NT_ERR_INVALID, 0,
                      "the first three digits are not a province code (Circular 07/2016/TT-BCA)");
        goto cleanup;
    }
    if (d[3] >= '4') {
        rc = nt__fail(diag, NT_ERR_INVALID, 3,
                      "the fourth digit gives a birth century (1800s or 2100+) no living "
                      "citizen has");
        goto cleanup;
    }
    if (sodium_init() < 0) {
        rc = nt__fail(diag, NT_ERR_INTERNAL, 0, "libsodium failed to initialise");
        goto cleanup;
    }
    crypto_generichash(h, sizeof h, d, sizeof d, key ? key : zero_key,
                       crypto_generichash_KEYBYTES);
    char *r = malloc(PREFIX_LEN + 2 * HASH_BYTES + 1);
    if (!r) {
        rc = nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
        goto cleanup;
    }
    memcpy(r, PREFIX, PREFIX_LEN);
    sodium_bin2hex(r + PREFIX_LEN, 2 * HASH_BYTES + 1, h, sizeof h);
    *out = r;
cleanup:
    sodium_memzero(d, sizeof d);
    sodium_memzero(h, sizeof h);
    return rc;
}
