/* rec_tlv: the tag-length-value encoding of recorded snapshots (varints, a growable
 * buffer, and a codec for plain structs described by a field table). */
#include "record/rec_tlv.h"

#include <stdlib.h>
#include <string.h>

#define VARINT_MAX 10

void rec_buf_free(struct rec_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof(*b));
}

void rec_buf_reset(struct rec_buf *b)
{
    b->len = 0;
    b->oom = false;
}

static bool reserve(struct rec_buf *b, size_t more)
{
    if (b->oom)
        return false;
    if (b->len + more <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more)
        cap *= 2;
    uint8_t *p = realloc(b->p, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

static size_t varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static size_t varint_encode(uint8_t *out, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (uint8_t)v;
    return n;
}

void rec_put_varint(struct rec_buf *b, uint64_t v)
{
    if (reserve(b, VARINT_MAX))
        b->len += varint_encode(b->p + b->len, v);
}

static void put_raw(struct rec_buf *b, const void *p, size_t n)
{
    if (n && reserve(b, n)) {
        memcpy(b->p + b->len, p, n);
        b->len += n;
    }
}

static uint64_t zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (v < 0 ? UINT64_MAX : 0);   /* no signed shift */
}

static int64_t unzigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

void rec_put_bytes(struct rec_buf *b, const void *p, size_t n)
{
    if (n > 0 && reserve(b, n)) {
        memcpy(b->p + b->len, p, n);
        b->len += n;
    }
}

void rec_put_u(struct rec_buf *b, uint32_t tag, uint64_t v)
{
    rec_put_varint(b, tag);
    rec_put_varint(b, varint_len(v));
    rec_put_varint(b, v);
}

void rec_put_i(struct rec_buf *b, uint32_t tag, int64_t v)
{
    rec_put_u(b, tag, zigzag(v));
}

void rec_put_bool(struct rec_buf *b, uint32_t tag, bool v)
{
    rec_put_u(b, tag, v ? 1 : 0);
}

void rec_put_f64(struct rec_buf *b, uint32_t tag, double v)
{
    uint64_t bits;
    uint8_t le[8];
    memcpy(&bits, &v, sizeof(bits));
    for (int i = 0; i < 8; i++)
        le[i] = (uint8_t)(bits >> (8 * i));
    rec_put_varint(b, tag);
    rec_put_varint(b, 8);
    put_raw(b, le, 8);
}

void rec_put_str(struct rec_buf *b, uint32_t tag, const char *s, size_t max)
{
    size_t n = s ? strnlen(s, max) : 0;
    rec_put_varint(b, tag);
    rec_put_varint(b, n);
    put_raw(b, s, n);
}

void rec_put_u64s(struct rec_buf *b, uint32_t tag, const uint64_t *v, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += varint_len(v[i]);
    rec_put_varint(b, tag);
    rec_put_varint(b, total);
    for (size_t i = 0; i < n; i++)
        rec_put_varint(b, v[i]);
}

void rec_put_i64s(struct rec_buf *b, uint32_t tag, const int64_t *v, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += varint_len(zigzag(v[i]));
    rec_put_varint(b, tag);
    rec_put_varint(b, total);
    for (size_t i = 0; i < n; i++)
        rec_put_varint(b, zigzag(v[i]));
}

/* One byte is reserved for the length: most nested items are short, and a longer one
 * moves its contents up by the few bytes its length needs. */
size_t rec_begin(struct rec_buf *b, uint32_t tag)
{
    rec_put_varint(b, tag);
    if (reserve(b, 1))
        b->p[b->len++] = 0;
    return b->len;
}

void rec_end(struct rec_buf *b, size_t mark)
{
    if (b->oom || mark == 0 || mark > b->len)
        return;
    size_t n = b->len - mark;
    size_t need = varint_len(n);
    if (need > 1) {
        if (!reserve(b, need - 1))
            return;
        memmove(b->p + mark + need - 1, b->p + mark, n);
        b->len += need - 1;
    }
    varint_encode(b->p + mark - 1, n);
}

/* ---- reading ------------------------------------------------------------------------ */

static int get_varint(struct rec_reader *r, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned shift = 0, i = 0; i < VARINT_MAX; i++, shift += 7) {
        if (r->pos >= r->len)
            return -1;
        uint8_t byte = r->p[r->pos++];
        if (i == VARINT_MAX - 1 && byte > 1)
            return -1;     /* more than 64 bits */
        v |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

int rec_get_varint(struct rec_reader *r, uint64_t *out) { return get_varint(r, out); }

int rec_next(struct rec_reader *r, uint32_t *tag, struct rec_reader *val)
{
    if (r->pos >= r->len)
        return 0;
    uint64_t t, n;
    if (get_varint(r, &t) < 0 || t > UINT32_MAX || get_varint(r, &n) < 0 ||
        n > r->len - r->pos)
        return -1;
    *tag = (uint32_t)t;
    *val = rec_reader_of(r->p + r->pos, (size_t)n);
    r->pos += (size_t)n;
    return 1;
}

int rec_get_u(const struct rec_reader *v, uint64_t *out)
{
    struct rec_reader r = *v;
    r.pos = 0;
    if (get_varint(&r, out) < 0 || r.pos != r.len)
        return -1;
    return 0;
}

int rec_get_i(const struct rec_reader *v, int64_t *out)
{
    uint64_t u;
    if (rec_get_u(v, &u) < 0)
        return -1;
    *out = unzigzag(u);
    return 0;
}

int rec_get_f64(const struct rec_reader *v, double *out)
{
    if (v->len != 8)
        return -1;
    uint64_t bits = 0;
    for (int i = 0; i < 8; i++)
        bits |= (uint64_t)v->p[i] << (8 * i);
    memcpy(out, &bits, sizeof(*out));
    return 0;
}

int rec_get_str(const struct rec_reader *v, char *dst, size_t cap)
{
    if (cap == 0)
        return -1;
    size_t n = v->len < cap - 1 ? v->len : cap - 1;
    if (n)
        memcpy(dst, v->p, n);
    dst[n] = '\0';
    return 0;
}

long rec_count_varints(const struct rec_reader *v)
{
    struct rec_reader r = *v;
    r.pos = 0;
    long n = 0;
    uint64_t x;
    while (r.pos < r.len) {
        if (get_varint(&r, &x) < 0)
            return -1;
        n++;
    }
    return n;
}

int rec_get_u64s(const struct rec_reader *v, uint64_t *dst, size_t n)
{
    struct rec_reader r = *v;
    r.pos = 0;
    size_t i = 0;
    while (r.pos < r.len) {
        if (i >= n || get_varint(&r, &dst[i]) < 0)
            return -1;
        i++;
    }
    for (; i < n; i++)
        dst[i] = 0;
    return 0;
}

int rec_get_i64s(const struct rec_reader *v, int64_t *dst, size_t n)
{
    struct rec_reader r = *v;
    r.pos = 0;
    size_t i = 0;
    uint64_t u;
    while (r.pos < r.len) {
        if (i >= n || get_varint(&r, &u) < 0)
            return -1;
        dst[i++] = unzigzag(u);
    }
    for (; i < n; i++)
        dst[i] = 0;
    return 0;
}

/* ---- struct codec ------------------------------------------------------------------- */

static int64_t load_int(const void *p, size_t size)
{
    switch (size) {
    case 1: { int8_t x; memcpy(&x, p, 1); return x; }
    case 2: { int16_t x; memcpy(&x, p, 2); return x; }
    case 4: { int32_t x; memcpy(&x, p, 4); return x; }
    default: { int64_t x; memcpy(&x, p, 8); return x; }
    }
}

static uint64_t load_uint(const void *p, size_t size)
{
    switch (size) {
    case 1: { uint8_t x; memcpy(&x, p, 1); return x; }
    case 2: { uint16_t x; memcpy(&x, p, 2); return x; }
    case 4: { uint32_t x; memcpy(&x, p, 4); return x; }
    default: { uint64_t x; memcpy(&x, p, 8); return x; }
    }
}

/* Stores v when it fits the field; -1 otherwise (a value no writer of this layout made). */
static int store_int(void *p, size_t size, int64_t v)
{
    switch (size) {
    case 1: { if (v < INT8_MIN || v > INT8_MAX) return -1; int8_t x = (int8_t)v; memcpy(p, &x, 1); return 0; }
    case 2: { if (v < INT16_MIN || v > INT16_MAX) return -1; int16_t x = (int16_t)v; memcpy(p, &x, 2); return 0; }
    case 4: { if (v < INT32_MIN || v > INT32_MAX) return -1; int32_t x = (int32_t)v; memcpy(p, &x, 4); return 0; }
    case 8: memcpy(p, &v, 8); return 0;
    default: return -1;
    }
}

static int store_uint(void *p, size_t size, uint64_t v)
{
    switch (size) {
    case 1: { if (v > UINT8_MAX) return -1; uint8_t x = (uint8_t)v; memcpy(p, &x, 1); return 0; }
    case 2: { if (v > UINT16_MAX) return -1; uint16_t x = (uint16_t)v; memcpy(p, &x, 2); return 0; }
    case 4: { if (v > UINT32_MAX) return -1; uint32_t x = (uint32_t)v; memcpy(p, &x, 4); return 0; }
    case 8: memcpy(p, &v, 8); return 0;
    default: return -1;
    }
}

void rec_put_fields(struct rec_buf *b, const struct rec_field *f, size_t n, const void *obj)
{
    const char *base = obj;
    for (size_t i = 0; i < n; i++) {
        const void *p = base + f[i].off;
        switch (f[i].type) {
        case RF_INT: rec_put_i(b, f[i].tag, load_int(p, f[i].size)); break;
        case RF_UINT: rec_put_u(b, f[i].tag, load_uint(p, f[i].size)); break;
        case RF_F64: { double d; memcpy(&d, p, sizeof(d)); rec_put_f64(b, f[i].tag, d); break; }
        case RF_BOOL: { bool x; memcpy(&x, p, sizeof(x)); rec_put_bool(b, f[i].tag, x); break; }
        case RF_STR: rec_put_str(b, f[i].tag, p, f[i].size); break;
        case RF_U64S: {
            uint64_t tmp[64];
            size_t cnt = f[i].size / 8;
            if (cnt > 64)
                cnt = 64;
            memcpy(tmp, p, cnt * 8);
            rec_put_u64s(b, f[i].tag, tmp, cnt);
            break;
        }
        case RF_I64S: {
            int64_t tmp[64];
            size_t cnt = f[i].size / 8;
            if (cnt > 64)
                cnt = 64;
            memcpy(tmp, p, cnt * 8);
            rec_put_i64s(b, f[i].tag, tmp, cnt);
            break;
        }
        default: break;
        }
    }
}

int rec_get_field(const struct rec_field *f, size_t n, uint32_t tag,
                  const struct rec_reader *v, void *obj)
{
    const struct rec_field *fd = NULL;
    for (size_t i = 0; i < n && !fd; i++)
        if (f[i].tag == tag)
            fd = &f[i];
    if (!fd)
        return 0;
    char *p = (char *)obj + fd->off;
    switch (fd->type) {
    case RF_INT: {
        int64_t x;
        return rec_get_i(v, &x) < 0 || store_int(p, fd->size, x) < 0 ? -1 : 1;
    }
    case RF_UINT: {
        uint64_t x;
        return rec_get_u(v, &x) < 0 || store_uint(p, fd->size, x) < 0 ? -1 : 1;
    }
    case RF_F64: {
        double d;
        if (rec_get_f64(v, &d) < 0)
            return -1;
        memcpy(p, &d, sizeof(d));
        return 1;
    }
    case RF_BOOL: {
        uint64_t x;
        if (rec_get_u(v, &x) < 0 || x > 1)
            return -1;
        bool bx = x != 0;
        memcpy(p, &bx, sizeof(bx));
        return 1;
    }
    case RF_STR:
        return rec_get_str(v, p, fd->size) < 0 ? -1 : 1;
    case RF_U64S: {
        uint64_t tmp[64];
        size_t cnt = fd->size / 8 > 64 ? 64 : fd->size / 8;
        if (rec_get_u64s(v, tmp, cnt) < 0)
            return -1;
        memcpy(p, tmp, cnt * 8);
        return 1;
    }
    case RF_I64S: {
        int64_t tmp[64];
        size_t cnt = fd->size / 8 > 64 ? 64 : fd->size / 8;
        if (rec_get_i64s(v, tmp, cnt) < 0)
            return -1;
        memcpy(p, tmp, cnt * 8);
        return 1;
    }
    default:
        return -1;
    }
}

int rec_get_fields(struct rec_reader r, const struct rec_field *f, size_t n, void *obj)
{
    uint32_t tag;
    struct rec_reader v;
    int rc;
    while ((rc = rec_next(&r, &tag, &v)) > 0)
        if (rec_get_field(f, n, tag, &v, obj) < 0)
            return -1;
    return rc;
}
