/*
 * lib/core/banned.h - functions the library must not use, as compile errors
 * (after git's banned.h).  Force-included into every lib/ source file.
 * Unbounded copies and formats, non-reentrant tokenisers and number parsers
 * that cannot report errors have safer replacements: memcpy with an explicit
 * length, snprintf, strtol/strtoul with an end pointer.
 */
#ifndef NT_BANNED_H
#define NT_BANNED_H

/* The standard headers are included first so that their declarations are
 * seen before the macros below; later #includes of them are no-ops. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NT_BANNED(func) sorry_##func##_is_banned_in_niemtin

#undef strcpy
#define strcpy(x, y) NT_BANNED(strcpy)
#undef strcat
#define strcat(x, y) NT_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) NT_BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) NT_BANNED(strncat)
#undef sprintf
#define sprintf(...) NT_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) NT_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) NT_BANNED(strtok)
#undef atoi
#define atoi(x) NT_BANNED(atoi)
#undef atol
#define atol(x) NT_BANNED(atol)
#undef gets
#define gets(x) NT_BANNED(gets)

/* The library never prints or exits (curl, libyara): report through nt_err. */
#undef printf
#define printf(...) NT_BANNED(printf)
#undef puts
#define puts(x) NT_BANNED(puts)
#undef abort
#define abort() NT_BANNED(abort)
#undef exit
#define exit(x) NT_BANNED(exit)

#endif
