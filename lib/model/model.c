/*
 * lib/model/model.c - the model file and prediction.
 *
 * A model is 2^bits x 5 float32 weights, 5 biases and 5 thresholds.  The
 * file is little-endian, whatever the machine:
 *
 *   offset  size  field
 *   0       8     magic "NTMODEL\x1a"
 *   8       4     u32 format version (1)
 *   12      4     u32 feature-set version (NT__MODEL_FEATURE_VERSION)
 *   16      8     u64 payload length in bytes (= file size - 32)
 *   24      8     u64 XXH3_64bits of the payload
 *   32      ...   payload:
 *                   u32 label count (5), u32 hash bits, u64 training seed,
 *                   u32 epochs, u32 flags (1 = trained with rule features),
 *                   per label: u8 name length, name, f32 bias, f32 threshold,
 *                   f32 weights[2^bits][label count]
 *
 * Nothing in a file is trusted until the header, sizes and checksum agree;
 * then every field is checked again (label names, bit count, finite numbers).
 * Saving goes through a temporary file and rename(2), so readers never see a
 * half-written model.  A loaded model is never written to again, which is
 * what makes prediction thread-safe: each call keeps its features on its own
 * heap allocation.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "core/diag.h"
#include "model/model_int.h"

#define MAGIC "NTMODEL\x1a"
#define FORMAT_VERSION 1u
#define HEADER_BYTES 32u

static const char *const label_names[NT_MODEL_LABELS] = {"scam", "grooming", "fear", "lure",
                                                         "control"};

const char *nt_model_label_name(nt_model_label label)
{
    if ((int)label < 0 || (int)label >= NT_MODEL_LABELS)
        return "unknown";
    return label_names[label];
}

nt_err nt_model_label_parse(const char *name, nt_model_label *out)
{
    if (!name || !out)
        return NT_ERR_INVALID_ARG;
    for (int i = 0; i < NT_MODEL_LABELS; i++) {
        if (strcmp(name, label_names[i]) == 0) {
            *out = (nt_model_label)i;
            return NT_OK;
        }
    }
    return NT_ERR_NOT_FOUND;
}

nt_err nt__model_alloc(unsigned bits, nt_model **out)
{
    if (bits < NT_MODEL_MIN_BITS || bits > NT_MODEL_MAX_BITS || !out)
        return NT_ERR_INVALID_ARG;
    nt_model *m = calloc(1, sizeof *m);
    if (!m)
        return NT_ERR_NOMEM;
    m->bits = bits;
    m->w = calloc((size_t)1 << bits, NT_MODEL_LABELS * sizeof *m->w);
    if (!m->w) {
        free(m);
        return NT_ERR_NOMEM;
    }
    for (int l = 0; l < NT_MODEL_LABELS; l++)
        m->threshold[l] = 0.5f;
    *out = m;
    return NT_OK;
}

void nt_model_free(nt_model *m)
{
    if (!m)
        return;
    free(m->w);
    free(m);
}

unsigned nt_model_hash_bits(const nt_model *m)
{
    return m ? m->bits : 0;
}
uint64_t nt_model_seed(const nt_model *m)
{
    return m ? m->seed : 0;
}
unsigned nt_model_epochs(const nt_model *m)
{
    return m ? m->epochs : 0;
}
int nt_model_uses_rules(const nt_model *m)
{
    return m && (m->flags & NT__MODEL_F_RULES);
}

double nt_model_threshold(const nt_model *m, nt_model_label label)
{
    if (!m || (int)label < 0 || (int)label >= NT_MODEL_LABELS)
        return 0.5;
    return m->threshold[label];
}

/* ---- Serialisation ------------------------------------------------------- */

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_f32(unsigned char *p, float f)
{
    uint32_t v;
    memcpy(&v, &f, 4);
    put_u32(p, v);
}

static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static float get_f32(const unsigned char *p)
{
    uint32_t v = get_u32(p);
    float f;
    memcpy(&f, &v, 4);
    return f;
}

/* The whole file image of a model, malloc'd. */
static nt_err serialise(const nt_model *m, unsigned char **out, size_t *out_len)
{
    size_t names = 0;
    for (int l = 0; l < NT_MODEL_LABELS; l++)
        names += 1 + strlen(label_names[l]) + 8;
    size_t nweights = ((size_t)1 << m->bits) * NT_MODEL_LABELS;
    size_t payload = 24 + names + nweights * 4;
    size_t total = HEADER_BYTES + payload;
    unsigned char *buf = malloc(total);
    if (!buf)
        return NT_ERR_NOMEM;
    unsigned char *p = buf + HEADER_BYTES;
    put_u32(p, NT_MODEL_LABELS);
    put_u32(p + 4, m->bits);
    put_u64(p + 8, m->seed);
    put_u32(p + 16, m->epochs);
    put_u32(p + 20, m->flags);
    p += 24;
    for (int l = 0; l < NT_MODEL_LABELS; l++) {
        size_t n = strlen(label_names[l]);
        *p++ = (unsigned char)n;
        memcpy(p, label_names[l], n);
        p += n;
        put_f32(p, m->bias[l]);
        put_f32(p + 4, m->threshold[l]);
        p += 8;
    }
    for (size_t i = 0; i < nweights; i++, p += 4)
        put_f32(p, m->w[i]);
    memcpy(buf, MAGIC, 8);
    put_u32(buf + 8, FORMAT_VERSION);
    put_u32(buf + 12, NT__MODEL_FEATURE_VERSION);
    put_u64(buf + 16, payload);
    put_u64(buf + 24, XXH3_64bits(buf + HEADER_BYTES, payload));
    *out = buf;
    *out_len = total;
    return NT_OK;
}

nt_err nt_model_save(const nt_model *m, const char *path, nt_diag *diag)
{
    if (!m || !path)
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "no model or no file name");
    nt_err rc = NT_OK;
    unsigned char *img = NULL;
    size_t len = 0;
    char tmp[4096];
    int fd = -1;
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return nt__fail_at(diag, NT_ERR_INVALID_ARG, path, 0, 0, 0, "file name too long");
    if ((rc = serialise(m, &img, &len)))
        return nt__fail_at(diag, rc, path, 0, 0, 0, "out of memory serialising the model");
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        rc = nt__fail_at(diag, NT_ERR_IO, tmp, 0, 0, 0, "cannot create: %s", strerror(errno));
        goto cleanup;
    }
    for (size_t off = 0; off < len;) {
        ssize_t w = write(fd, img + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            rc = nt__fail_at(diag, NT_ERR_IO, tmp, 0, 0, off, "write failed: %s",
                             w < 0 ? strerror(errno) : "no progress");
            goto cleanup;
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0) {
        rc = nt__fail_at(diag, NT_ERR_IO, tmp, 0, 0, len, "fsync failed: %s", strerror(errno));
        goto cleanup;
    }
    if (close(fd) != 0) {
        fd = -1;
        rc = nt__fail_at(diag, NT_ERR_IO, tmp, 0, 0, len, "close failed: %s", strerror(errno));
        goto cleanup;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        rc = nt__fail_at(diag, NT_ERR_IO, path, 0, 0, 0, "cannot rename %s into place: %s", tmp,
                         strerror(errno));
        goto cleanup;
    }
cleanup:
    if (fd >= 0)
        close(fd);
    if (rc)
        unlink(tmp);
    free(img);
    return rc;
}

/* A bounds-checked reader over the payload. */
typedef struct reader {
    const unsigned char *p;
    size_t len, pos;
} reader;

static int need(const reader *r, size_t n)
{
    return r->len - r->pos >= n;
}

nt_err nt_model_load_buffer(const void *data, size_t len, const char *source, nt_model **out,
                            nt_diag *diag)
{
    const unsigned char *d = data;
    const char *src = source ? source : "<buffer>";
    nt_model *m = NULL;
    nt_err rc = NT_OK;
    if (!out || (!data && len))
        return nt__fail(diag, NT_ERR_INVALID_ARG, 0, "no buffer or no output");
    *out = NULL;
    if (len < 8 || memcmp(d, MAGIC, 8) != 0)
        return nt__fail_at(diag, NT_ERR_PARSE, src, 0, 0, 0,
                           "not a NiemTin model file (bad magic)");
    if (len < HEADER_BYTES)
        return nt__fail_at(diag, NT_ERR_PARSE, src, 0, 0, len,
                           "truncated: %zu bytes, the header alone is %u", len, HEADER_BYTES);
    uint32_t version = get_u32(d + 8), fversion = get_u32(d + 12);
    uint64_t payload = get_u64(d + 16), sum = get_u64(d + 24);
    if (version != FORMAT_VERSION)
        return nt__fail_at(diag, NT_ERR_PARSE, src, 0, 0, 8,
                           "format version %u, this build reads version %u", version,
                           FORMAT_VERSION);
    if (fversion != NT__MODEL_FEATURE_VERSION)
        return nt__fail_at(diag, NT_ERR_PARSE, src, 0, 0, 12,
                           "feature-set version %u, this build computes version %u (retrain)",
                           fversion, NT__MODEL_FEATURE_VERSION);
    if (payload != len - HEADER_BYTES)
        return nt__fail_at(diag, NT_ERR_PARSE, src, 0, 0, 16,
                           "%s: header says %llu payload bytes, file has %zu",
                           payload > len - HEADER_BYTES ? "truncated" : "trailing bytes",
                           (unsigned long long)payload, len - HEADER_BYTES);
    if (XXH3_64bits(d + HEADER_BYTES, (size_t)payload) != sum)
        return nt__fail_at(diag, NT_ERR_PARSE, src, 0, 0, 24,
                           "checksum mismatch: the file is corrupt");

    reader r = {d + HEADER_BYTES, (size_t)payload, 0};
    if (!need(&r, 24))
        return nt__fail_at(diag, NT_ERR_PARSE, src, 0, 0, HEADER_BYTES,
                           "payload too short for the model fields");
    uint32_t nlabels = get_u32(r.p), bits = get_u32(r.p + 4);
    if (nlabels != NT_MODEL_LABELS)
        return nt__fail_at(diag, NT_ERR_PARSE, src, 0, 0, HEADER_BYTES, "%u labels, expected %d",
                           nlabels, NT_MODEL_LABELS);
    if (bits < NT_MODEL_MIN_BITS || bits > NT_MODEL_MAX_BITS)
        return nt__fail_at(diag, NT_ERR_PARSE, src, 0, 0, HEADER_BYTES + 4,
                           "hash bits %u outside %u..%u", bits, NT_MODEL_MIN_BITS,
                           NT_MODEL_MAX_BITS);
    if ((rc = nt__model_alloc(bits, &m)))
        return nt__fail_at(diag, rc, src, 0, 0, 0, "out of memory for 2^%u buckets", bits);
    m->seed = get_u64(r.p + 8);
    m->epochs = get_u32(r.p + 16);
    m->flags = get_u32(r.p + 20);
    r.pos = 24;
    if (m->flags & ~NT__MODEL_F_RULES) {
        rc = nt__fail_at(diag, NT_ERR_PARSE, src, 0, 0, HEADER_BYTES + 20, "unknown flags 0x%x",
                         m->flags);
        goto cleanup;
    }
    for (int l = 0; l < NT_MODEL_LABELS; l++) {
        size_t at = HEADER_BYTES + r.pos;
        size_t n = need(&r, 1) ? r.p[r.pos] : 0;
        if (!need(&r, 1 + n + 8)) {
            rc = nt__fail_at(diag, NT_ERR_PARSE, src, 0, 0, at, "label %d truncated", l);
            goto cleanup;
        }
        if (n != strlen(label_names[l]) || memcmp(r.p + r.pos + 1, label_names[l], n) != 0) {
            rc = nt__fail_at(diag, NT_ERR_PARSE, src, 0, 0, at, "label %d is not \"%s\"", l,
                             label_names[l]);
            goto cleanup;
        }
        r.pos += 1 + n;
        m->bias[l] = get_f32(r.p + r.pos);
        m->threshold[l] = get_f32(r.p + r.pos + 4);
        if (!isfinite(m->bias[l]) || !(m->threshold[l] > 0.0f && m->threshold[l] < 1.0f)) {
            rc = nt__fail_at(diag, NT_ERR_PARSE, src, 0, 0, HEADER_BYTES + r.pos,
                             "label \"%s\": bias not finite or threshold outside (0,1)",
                             label_names[l]);
            goto cleanup;
        }
        r.pos += 8;
    }
    size_t nweights = ((size_t)1 << bits) * NT_MODEL_LABELS;
    if (r.len - r.pos != nweights * 4) {
        rc = nt__fail_at(diag, NT_ERR_PARSE, src, 0, 0, HEADER_BYTES + r.pos,
                         "%zu weight bytes, 2^%u buckets x %d labels need %zu", r.len - r.pos, bits,
                         NT_MODEL_LABELS, nweights * 4);
        goto cleanup;
    }
    for (size_t i = 0; i < nweights; i++, r.pos += 4) {
        m->w[i] = get_f32(r.p + r.pos);
        if (!isfinite(m->w[i])) {
            rc = nt__fail_at(diag, NT_ERR_PARSE, src, 0, 0, HEADER_BYTES + r.pos,
                             "weight %zu is not a finite number", i);
            goto cleanup;
        }
    }
    *out = m;
    m = NULL;
cleanup:
    nt_model_free(m);
    return rc;
}

nt_err nt_model_load(const char *path, nt_model **out, nt_diag *diag)
{
    char *data = NULL;
    size_t len = 0;
    nt_err rc = nt__read_file(path, NT_MODEL_MAX_FILE_BYTES, &data, &len, diag);
    if (rc)
        return rc;
    rc = nt_model_load_buffer(data, len, path, out, diag);
    free(data);
    return rc;
}

/* ---- Prediction ------------------------------------------------------------ */

static double sigmoid(double z)
{
    if (z >= 0)
        return 1.0 / (1.0 + exp(-z));
    double e = exp(z);
    return e / (1.0 + e);
}

/* Insert contribution c of feature f into label l's top list (descending). */
static void explain_add(nt_model_explain *ex, int l, const nt__feat *f, double w, double c,
                        const nt_text *t)
{
    size_t n = ex->count[l];
    if (n == NT_MODEL_EXPLAIN_MAX && ex->top[l][n - 1].contribution >= c)
        return;
    size_t pos = n < NT_MODEL_EXPLAIN_MAX ? n : NT_MODEL_EXPLAIN_MAX - 1;
    while (pos > 0 && ex->top[l][pos - 1].contribution < c) {
        ex->top[l][pos] = ex->top[l][pos - 1];
        pos--;
    }
    nt_model_contrib *mc = &ex->top[l][pos];
    memset(mc, 0, sizeof *mc);
    mc->kind = (nt_feature_kind)f->kind;
    nt__feature_name(f, t, mc->name, sizeof mc->name);
    mc->value = f->value;
    mc->weight = w;
    mc->contribution = c;
    if (f->span_kind == FEAT_SPAN_ORIG) {
        mc->has_span = 1;
        mc->start = f->a;
        mc->end = f->b;
    } else if (f->span_kind == FEAT_SPAN_FOLD &&
               nt_text_span(t, NT_FORM_FOLD, f->a, f->b, &mc->start, &mc->end) == NT_OK) {
        mc->has_span = 1;
    }
    if (n < NT_MODEL_EXPLAIN_MAX)
        ex->count[l] = n + 1;
}

nt_err nt_model_predict(const nt_model *m, const nt_text *t, const nt_indicator_list *inds,
                        const nt_rule_hits *hits, double probs[NT_MODEL_LABELS],
                        nt_model_explain *explain)
{
    if (!m || !t || !probs)
        return NT_ERR_INVALID_ARG;
    nt__featvec v = {0};
    nt_err rc = nt__features(t, inds, hits, m->bits, &v);
    if (rc)
        goto cleanup;
    double z[NT_MODEL_LABELS];
    for (int l = 0; l < NT_MODEL_LABELS; l++)
        z[l] = m->bias[l];
    if (explain) {
        memset(explain, 0, sizeof *explain);
        for (int l = 0; l < NT_MODEL_LABELS; l++)
            explain->bias[l] = m->bias[l];
    }
    for (size_t i = 0; i < v.n; i++) {
        const float *w = &m->w[(size_t)v.f[i].bucket * NT_MODEL_LABELS];
        for (int l = 0; l < NT_MODEL_LABELS; l++) {
            double c = (double)v.f[i].value * w[l];
            z[l] += c;
            if (explain && c > 0)
                explain_add(explain, l, &v.f[i], w[l], c, t);
        }
    }
    for (int l = 0; l < NT_MODEL_LABELS; l++)
        probs[l] = sigmoid(z[l]);
cleanup:
    nt__featvec_free(&v);
    return rc;
}
