/*
 * lib/indicator/wallet.c - crypto wallet addresses ("btc:", "eth:", "tron:").
 *
 * The one idea: an address is accepted only when its own checksum says it
 * was not mistyped or made up - base58check (double SHA-256) for Bitcoin
 * legacy and TRON addresses, the BCH code of BIP-173 (bech32) and BIP-350
 * (bech32m) for Bitcoin segwit addresses - so a random string that merely
 * looks like an address never enters the registry.  Ethereum addresses are
 * the exception: their EIP-55 mixed-case checksum needs Keccak-256, which
 * libsodium does not provide, so any 0x + 40 hex digits is accepted (mixed
 * case unverified) and lower-cased.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/diag.h"
#include "indicator/values.h"
#include "niemtin/indicator.h"

#define MAX_WALLET_INPUT 128
#define BECH32_MAX 90 /* BIP-173 */

static const char b58_alphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

const char *nt__wallet_chain_name(nt__wallet_chain chain)
{
    switch (chain) {
    case NT__WALLET_BTC:
        return "btc";
    case NT__WALLET_ETH:
        return "eth";
    case NT__WALLET_TRON:
        return "tron";
    default:
        return "";
    }
}

static int b58_value(char c)
{
    const char *p = c ? strchr(b58_alphabet, c) : NULL;
    return p ? (int)(p - b58_alphabet) : -1;
}

/* Decode base58 s[0..n) into exactly `want` bytes (big-endian, leading '1's
 * are zero bytes).  Returns 0 on success, -1 on a bad character, -2 when the
 * value does not fit `want` bytes exactly. */
static int b58_decode(const char *s, size_t n, unsigned char *outb, size_t want)
{
    unsigned char buf[64];
    size_t zeros = 0;
    if (want > sizeof buf)
        return -2;
    memset(buf, 0, sizeof buf);
    while (zeros < n && s[zeros] == '1')
        zeros++;
    for (size_t i = 0; i < n; i++) {
        int v = b58_value(s[i]);
        if (v < 0)
            return -1;
        unsigned carry = (unsigned)v;
        for (size_t j = sizeof buf; j-- > 0;) {
            carry += 58u * buf[j];
            buf[j] = (unsigned char)(carry & 0xff);
            carry >>= 8;
        }
        if (carry)
            return -2;
    }
    size_t lead = 0;
    while (lead < sizeof buf && buf[lead] == 0)
        lead++;
    size_t sig = sizeof buf - lead;
    if (zeros + sig != want)
        return -2;
    memset(outb, 0, zeros);
    memcpy(outb + zeros, buf + lead, sig);
    return 0;
}

/* 25-byte base58check payload: version byte, 20-byte hash, 4-byte checksum
 * = first 4 bytes of SHA-256(SHA-256(first 21 bytes)). */
static int checksum_ok(const unsigned char raw[25])
{
    unsigned char h1[crypto_hash_sha256_BYTES], h2[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h1, raw, 21);
    crypto_hash_sha256(h2, h1, sizeof h1);
    return memcmp(h2, raw + 21, 4) == 0;
}

static nt_err base58check(const char *s, size_t n, const unsigned char *versions, size_t nver,
                          const char *what, nt_diag *diag)
{
    unsigned char raw[25];
    int r = b58_decode(s, n, raw, sizeof raw);
    if (r == -1)
        return nt__fail(diag, NT_ERR_INVALID, 0,
                        "not base58 (0, O, I and l are not used): not a %s address", what);
    if (r != 0)
        return nt__fail(diag, NT_ERR_INVALID, 0, "wrong length for a %s address", what);
    int ver_ok = 0;
    for (size_t i = 0; i < nver; i++)
        ver_ok |= raw[0] == versions[i];
    if (!ver_ok)
        return nt__fail(diag, NT_ERR_INVALID, 0, "version byte 0x%02x is not a %s address",
                        raw[0], what);
    if (!checksum_ok(raw))
        return nt__fail(diag, NT_ERR_INVALID, 0,
                        "base58check checksum mismatch: a mistyped or made-up %s address",
                        what);
    return NT_OK;
}

/* ---- bech32 / bech32m (BIP-173, BIP-350) ---------------------------------- */

static const char bech32_charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
#define BECH32_CONST 1u
#define BECH32M_CONST 0x2bc830a3u

static uint32_t polymod(const unsigned char *v, size_t n)
{
    static const uint32_t gen[5] = {0x3b6a57b2u, 0x26508e6du, 0x1ea119fau, 0x3d4233ddu,
                                    0x2a1462b3u};
    uint32_t chk = 1;
    for (size_t i = 0; i < n; i++) {
        uint32_t top = chk >> 25;
        chk = ((chk & 0x1ffffffu) << 5) ^ v[i];
        for (int j = 0; j < 5; j++)
            if ((top >> j) & 1)
                chk ^= gen[j];
    }
    return chk;
}

/* Validate a lower-cased segwit address lc[0..n) for hrp "bc". */
static nt_err segwit(const char *lc, size_t n, nt_diag *diag)
{
    unsigned char v[2 * 2 + 1 + BECH32_MAX];
    size_t k = 0;
    const char *sep = NULL;
    for (size_t i = n; i-- > 0;)
        if (lc[i] == '1') {
            sep = lc + i;
            break;
        }
    if (!sep || sep != lc + 2 || memcmp(lc, "bc", 2) != 0)
        return nt__fail(diag, NT_ERR_INVALID, 0, "not a Bitcoin mainnet (bc1) address");
    size_t dlen = n - 3;
    if (dlen < 6 + 1)
        return nt__fail(diag, NT_ERR_INVALID, 0, "bech32 address too short");
    /* hrp expansion */
    v[k++] = 'b' >> 5;
    v[k++] = 'c' >> 5;
    v[k++] = 0;
    v[k++] = 'b' & 31;
    v[k++] = 'c' & 31;
    unsigned char *data = v + k;
    for (size_t i = 0; i < dlen; i++) {
        const char *p = lc[3 + i] ? strchr(bech32_charset, lc[3 + i]) : NULL;
        if (!p)
            return nt__fail(diag, NT_ERR_INVALID, 3 + i,
                            "character '%c' is not in the bech32 alphabet", lc[3 + i]);
        v[k++] = (unsigned char)(p - bech32_charset);
    }
    uint32_t pm = polymod(v, k);
    int m = pm == BECH32M_CONST;
    if (pm != BECH32_CONST && !m)
        return nt__fail(diag, NT_ERR_INVALID, 0,
                        "bech32 checksum mismatch: a mistyped or made-up address");
    unsigned wver = data[0];
    if (wver > 16)
        return nt__fail(diag, NT_ERR_INVALID, 0, "witness version %u does not exist", wver);
    if ((wver == 0) == m)
        return nt__fail(diag, NT_ERR_INVALID, 0,
                        "witness version %u must use %s (BIP-350)", wver,
                        wver == 0 ? "bech32" : "bech32m");
    /* 5-bit groups to bytes, no padding allowed beyond 4 zero bits. */
    size_t nd = dlen - 6 - 1, prog_len = 0;
    uint32_t acc = 0;
    unsigned bits = 0;
    for (size_t i = 1; i <= nd; i++) {
        acc = (acc << 5) | data[i];
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            prog_len++;
        }
    }
    if (bits >= 5 || (acc & ((1u << bits) - 1)) != 0)
        return nt__fail(diag, NT_ERR_INVALID, 0, "bad padding in the witness program");
    if (prog_len < 2 || prog_len > 40 || (wver == 0 && prog_len != 20 && prog_len != 32))
        return nt__fail(diag, NT_ERR_INVALID, 0,
                        "witness program of %zu bytes is not valid for version %u", prog_len,
                        wver);
    return NT_OK;
}

static nt_err emit(char **out, const char *prefix, const char *s, size_t n, int lower,
                   nt_diag *diag)
{
    size_t pl = strlen(prefix);
    char *r = malloc(pl + n + 1);
    if (!r)
        return nt__fail(diag, NT_ERR_NOMEM, 0, "out of memory");
    memcpy(r, prefix, pl);
    for (size_t i = 0; i < n; i++)
        r[pl + i] = (lower && s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
    r[pl + n] = '\0';
    *out = r;
    return NT_OK;
}

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Strip "btc:", "bitcoin:", "eth:", "ethereum:", "tron:" and a BIP-21 /
 * EIP-681 query; returns the scheme's chain or NONE. */
static nt__wallet_chain strip_scheme(const char **s, size_t *n)
{
    static const struct {
        const char *p;
        nt__wallet_chain c;
    } schemes[] = {{"btc:", NT__WALLET_BTC},      {"bitcoin:", NT__WALLET_BTC},
                   {"eth:", NT__WALLET_ETH},      {"ethereum:", NT__WALLET_ETH},
                   {"tron:", NT__WALLET_TRON}};
    nt__wallet_chain c = NT__WALLET_NONE;
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        size_t pl = strlen(schemes[i].p);
        if (*n >= pl && strncasecmp(*s, schemes[i].p, pl) == 0) {
            *s += pl;
            *n -= pl;
            c = schemes[i].c;
            break;
        }
    }
    if (c != NT__WALLET_NONE) {
        const char *q = memchr(*s, '?', *n);
        if (q)
            *n = (size_t)(q - *s);
        if (c == NT__WALLET_ETH) {
            const char *at = memchr(*s, '@', *n); /* EIP-681 chain id */
            if (at)
                *n = (size_t)(at - *s);
        }
    }
    return c;
}

nt_err nt__canon_wallet(const char *in, size_t len, char **out, nt__wallet_chain *chain,
                        nt_diag *diag)
{
    nt_err rc;
    char lc[BECH32_MAX + 1];

    if (chain)
        *chain = NT__WALLET_NONE;
    if (!out || (!in && len))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "NULL argument");
    *out = NULL;
    in = in ? in : "";
    const char *s = nt__val_trim(in, &len);
    if (len == 0)
        return nt__fail(diag, NT_ERR_EMPTY, 0, "empty wallet address");
    if (len > MAX_WALLET_INPUT)
        return nt__fail(diag, NT_ERR_INVALID, 0, "too long for a wallet address");
    nt__wallet_chain want = strip_scheme(&s, &len);
    if (sodium_init() < 0)
        return nt__fail(diag, NT_ERR_INTERNAL, 0, "libsodium failed to initialise");

    nt__wallet_chain got;
    if (len == 42 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        for (size_t i = 2; i < 42; i++)
            if (!is_hex(s[i]))
                return nt__fail(diag, NT_ERR_INVALID, i,
                                "not a hexadecimal digit in an Ethereum address");
        got = NT__WALLET_ETH;
        if (want != NT__WALLET_NONE && want != got)
            goto wrong_chain;
        rc = emit(out, "eth:", s, len, 1, diag);
    } else if (len >= 4 && (strncasecmp(s, "bc1", 3) == 0)) {
        if (len > BECH32_MAX)
            return nt__fail(diag, NT_ERR_INVALID, 0, "bech32 address longer than 90");
        int lower = 0, upper = 0;
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)s[i];
            if (c < 33 || c > 126)
                return nt__fail(diag, NT_ERR_INVALID, i, "bad character in a bech32 address");
            lower |= c >= 'a' && c <= 'z';
            upper |= c >= 'A' && c <= 'Z';
            lc[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        if (lower && upper)
            return nt__fail(diag, NT_ERR_INVALID, 0,
                            "mixed case in a bech32 address (BIP-173 forbids it)");
        if ((rc = segwit(lc, len, diag)) != NT_OK)
            return rc;
        got = NT__WALLET_BTC;
        if (want != NT__WALLET_NONE && want != got)
            goto wrong_chain;
        rc = emit(out, "btc:", lc, len, 0, diag);
    } else if (len == 34 && s[0] == 'T') {
        static const unsigned char tron_ver[] = {0x41};
        if ((rc = base58check(s, len, tron_ver, 1, "TRON", diag)) != NT_OK)
            return rc;
        got = NT__WALLET_TRON;
        if (want != NT__WALLET_NONE && want != got)
            goto wrong_chain;
        rc = emit(out, "tron:", s, len, 0, diag);
    } else if (len >= 25 && len <= 35 && (s[0] == '1' || s[0] == '3')) {
        static const unsigned char btc_ver[] = {0x00, 0x05};
        if ((rc = base58check(s, len, btc_ver, 2, "Bitcoin", diag)) != NT_OK)
            return rc;
        got = NT__WALLET_BTC;
        if (want != NT__WALLET_NONE && want != got)
            goto wrong_chain;
        rc = emit(out, "btc:", s, len, 0, diag);
    } else {
        return nt__fail(diag, NT_ERR_INVALID, 0,
                        "not a wallet address: expected Bitcoin (1..., 3..., bc1...), "
                        "Ethereum (0x + 40 hex) or TRON (T..., 34 characters)");
    }
    if (rc == NT_OK && chain)
        *chain = got;
    return rc;
wrong_chain:
    return nt__fail(diag, NT_ERR_INVALID, 0, "a %s address written as %s:",
                    nt__wallet_chain_name(got), nt__wallet_chain_name(want));
}

nt_err nt_canon_wallet(const char *in, size_t len, char **out, nt_diag *diag)
{
    return nt__canon_wallet(in, len, out, NULL, diag);
}
