/*
 * niemtin/niemtin.h - the whole public API of the NiemTin engine.
 *
 * Include this one header.  Conventions shared by every module:
 *   - names are prefixed nt_; handles are opaque and come in new/free pairs;
 *   - fallible calls return nt_err (see error.h) and never print or exit;
 *   - strings are UTF-8, lengths are in bytes, spans are [start, end) byte
 *     offsets into the caller's original input;
 *   - every header states who owns what a function returns.
 */
#ifndef NIEMTIN_H
#define NIEMTIN_H

#define NT_VERSION_MAJOR 0
#define NT_VERSION_MINOR 1
#define NT_VERSION_PATCH 0
#define NT_VERSION_STRING "0.1.0"

#include "niemtin/error.h"
#include "niemtin/limits.h"
#include "niemtin/text.h"
#include "niemtin/indicator.h"
#include "niemtin/detect.h"
#include "niemtin/model.h"
#include "niemtin/engine.h"
#include "niemtin/store.h"
#include "niemtin/registry.h"
#include "niemtin/audit.h"
#include "niemtin/auth.h"
#include "niemtin/claims.h"
#include "niemtin/factcheck.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The library version string, e.g. "0.1.0". Static. */
const char *nt_version(void);

#ifdef __cplusplus
}
#endif
#endif
