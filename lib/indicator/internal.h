/*
 * lib/indicator/internal.h - helpers shared by the files of the indicator
 * module (url.c, domain.c, extract.c ...): the one shared Public Suffix List
 * context, the Safe Browsing IPv4 parser, IDNA, and a cheap "does this host end
 * in a real public suffix" test for the extractor.
 *
 * Nothing here is public API; everything is thread-safe and allocation-free
 * unless stated.
 */
#ifndef NT_INDICATOR_INTERNAL_H
#define NT_INDICATOR_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <libpsl.h>

#include "niemtin/error.h"

/* The process-wide Public Suffix List: psl_latest(NULL) (Debian's
 * /usr/share/publicsuffix list or libpsl's built-in copy, whichever is newer),
 * else psl_builtin().  Loaded once under pthread_once on first use, immutable
 * afterwards and never freed, so any thread may use it without locking.  NULL
 * only if no list at all could be loaded. */
const psl_ctx_t *nt__psl(void);

/* Parse s[0..len) as an IPv4 address the way browsers and Safe Browsing do:
 * 1 to 4 dot-separated parts, each decimal, octal (leading 0) or hex (0x);
 * every part but the last is one byte, the last fills the remaining bytes
 * ("3279880203", "0300.0250.0.1", "0xc0.0xa8.0.1", "192.168.1").  No leading,
 * trailing or doubled dots.  Returns 1 and stores the address (host order)
 * in *addr, or 0 if s is not such an address. */
int nt__ipv4_parse(const char *s, size_t len, uint32_t *addr);

/* Write addr (host order) as a dotted quad into out (NUL-terminated);
 * returns its length (7..15). */
size_t nt__ipv4_format(uint32_t addr, char out[16]);

/* IDNA: the NUL-terminated UTF-8 host name `utf8` to lower-case A-labels with
 * libidn2 (UTS#46 non-transitional with NFC, falling back to transitional
 * processing when non-transitional rules disallow a code point, as curl does
 * - this admits IDNA2003-era names such as emoji domains).  *out is allocated
 * by libidn2 and must be released with idn2_free().  Returns NT_OK,
 * NT_ERR_INVALID (then *why, if non-NULL, gets libidn2's static reason) or
 * NT_ERR_NOMEM.  The result is not checked for characters that are special
 * in URLs; callers do that. */
nt_err nt__idna_to_ascii(const char *utf8, char **out, const char **why);

/* Non-zero if host[0..len) (ASCII, any case, no trailing dot) passes the
 * Public Suffix List test of nt_canon_domain: it is not itself an ICANN
 * suffix, and its registrable domain sits on a suffix the PSL really lists
 * (ICANN or private), not one merely allowed by the "*" default rule.
 * "vietcombank.com.vn", "x.blogspot.com", "github.io" -> 1; "file.txt",
 * "v.v", "com.vn", "localhost" -> 0.  Meant for the extractor's "is this
 * bare word a domain" test: no allocation, no IDNA, no label syntax checks
 * (nt_canon_domain does those).  Non-ASCII or NUL bytes, or more than 253
 * bytes, give 0. */
int nt__host_has_public_suffix(const char *host, size_t len);

/* The Safe Browsing expressions of a canonical URL ("scheme://host/path?q"),
 * in nt_url_expressions' order, as runs of the URL itself: expression i is
 * canon_url[start[i] .. start[i] + len[i]) (a host suffix is followed by its
 * path prefix in the URL, so no copy is needed).  Returns the count
 * (1..NT__URL_MAX_EXPRESSIONS), or 0 when the URL does not have that shape.
 * No allocation. */
#define NT__URL_MAX_EXPRESSIONS 30
size_t nt__url_expression_spans(const char *canon_url, size_t start[NT__URL_MAX_EXPRESSIONS],
                                size_t len[NT__URL_MAX_EXPRESSIONS]);

#endif
