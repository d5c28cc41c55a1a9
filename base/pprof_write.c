/* pprof_write: profile.proto encoding (github.com/google/pprof/proto/profile.proto). */
#include "base/pprof_write.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* ---- a growable byte buffer with protobuf's wire encodings ------------------------ */

struct buf {
    uint8_t *b;
    size_t n, cap;
    bool oom;
};

static void put(struct buf *o, const void *p, size_t n)
{
    if (o->oom)
        return;
    if (o->n + n > o->cap) {
        size_t cap = o->cap ? o->cap : 256;
        while (cap < o->n + n)
            cap *= 2;
        uint8_t *nb = realloc(o->b, cap);
        if (!nb) {
            o->oom = true;
            return;
        }
        o->b = nb;
        o->cap = cap;
    }
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

static void varint(struct buf *o, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;
    do {
        tmp[n] = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v)
            tmp[n] |= 0x80;
        n++;
    } while (v);
    put(o, tmp, n);
}

static void key(struct buf *o, unsigned field, unsigned wire) { varint(o, field << 3 | wire); }

/* Zero is the default: proto3 leaves it out. */
static void f_uint(struct buf *o, unsigned field, uint64_t v)
{
    if (!v)
        return;
    key(o, field, 0);
    varint(o, v);
}

static void f_bool(struct buf *o, unsigned field, bool v) { f_uint(o, field, v ? 1 : 0); }

static void f_bytes(struct buf *o, unsigned field, const void *p, size_t n)
{
    key(o, field, 2);
    varint(o, n);
    put(o, p, n);
}

static void f_msg(struct buf *o, unsigned field, struct buf *m)
{
    f_bytes(o, field, m->b, m->n);
    if (m->oom)
        o->oom = true;
    m->n = 0;
}

static void f_packed(struct buf *o, unsigned field, const uint64_t *v, size_t n)
{
    if (!n)
        return;
    struct buf m = { 0 };
    for (size_t i = 0; i < n; i++)
        varint(&m, v[i]);
    f_msg(o, field, &m);
    free(m.b);
}

/* ---- the profile ------------------------------------------------------------------ */

struct func_ent { int64_t name, file; };
struct loc_ent { uint64_t addr; size_t first, n; };   /* lines[first .. first+n) */
struct line_ent { uint64_t func_id; int64_t line; };

struct pprof {
    int64_t period_ns;
    /* strings: table and an open-addressing index (index+1, 0 empty) */
    char **strs;
    size_t nstrs, strs_cap;
    uint32_t *sidx;
    size_t sidx_cap;
    struct func_ent *funcs;
    size_t nfuncs, funcs_cap;
    struct loc_ent *locs;
    size_t nlocs, locs_cap;
    uint32_t *lidx;                   /* by address */
    size_t lidx_cap;
    struct line_ent *lines;
    size_t nlines, lines_cap;
    struct buf samples;               /* encoded Sample messages */
    uint64_t map_start, map_limit;
    int64_t map_file, map_build;
    bool oom;
};

static bool grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    void *n = realloc(*arr, c * elem);
    if (!n)
        return false;
    *arr = n;
    *cap = c;
    return true;
}

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ULL;
    return h;
}

static bool sidx_rebuild(struct pprof *p, size_t cap)
{
    uint32_t *ix = calloc(cap, sizeof(*ix));
    if (!ix)
        return false;
    for (size_t i = 0; i < p->nstrs; i++) {
        size_t h = str_hash(p->strs[i]) & (cap - 1);
        while (ix[h])
            h = (h + 1) & (cap - 1);
        ix[h] = (uint32_t)i + 1;
    }
    free(p->sidx);
    p->sidx = ix;
    p->sidx_cap = cap;
    return true;
}

/* The string table index of s (the table starts with ""). -1 when out of memory. */
static int64_t str_id(struct pprof *p, const char *s)
{
    if (!s)
        s = "";
    if ((p->nstrs + 1) * 2 > p->sidx_cap && !sidx_rebuild(p, p->sidx_cap ? p->sidx_cap * 2 : 256))
        return -1;
    size_t h = str_hash(s) & (p->sidx_cap - 1);
    while (p->sidx[h]) {
        if (strcmp(p->strs[p->sidx[h] - 1], s) == 0)
            return p->sidx[h] - 1;
        h = (h + 1) & (p->sidx_cap - 1);
    }
    char *copy = strdup(s);
    if (!copy || !grow((void **)&p->strs, &p->strs_cap, p->nstrs + 1, sizeof(*p->strs))) {
        free(copy);
        return -1;
    }
    p->strs[p->nstrs] = copy;
    p->sidx[h] = (uint32_t)++p->nstrs;
    return (int64_t)p->nstrs - 1;
}

struct pprof *pprof_new(int64_t period_ns)
{
    struct pprof *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->period_ns = period_ns;
    if (str_id(p, "") != 0) {
        pprof_free(p);
        return NULL;
    }
    return p;
}

void pprof_free(struct pprof *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nstrs; i++)
        free(p->strs[i]);
    free(p->strs);
    free(p->sidx);
    free(p->funcs);
    free(p->locs);
    free(p->lidx);
    free(p->lines);
    free(p->samples.b);
    free(p);
}

void pprof_set_mapping(struct pprof *p, uint64_t start, uint64_t limit, const char *file,
                       const char *build_id)
{
    p->map_start = start;
    p->map_limit = limit;
    p->map_file = str_id(p, file);
    p->map_build = str_id(p, build_id);
}

/* Function ids are 1-based; functions are few, so a linear search by string ids is fine
 * next to the per-address location cache that spares most lookups. */
static uint64_t func_id(struct pprof *p, const char *name, const char *file)
{
    int64_t n = str_id(p, name), f = str_id(p, file);
    if (n < 0 || f < 0)
        return 0;
    for (size_t i = p->nfuncs; i-- > 0;)
        if (p->funcs[i].name == n && p->funcs[i].file == f)
            return i + 1;
    if (!grow((void **)&p->funcs, &p->funcs_cap, p->nfuncs + 1, sizeof(*p->funcs)))
        return 0;
    p->funcs[p->nfuncs++] = (struct func_ent){ n, f };
    return p->nfuncs;
}

static uint64_t addr_hash(uint64_t a) { return (a >> 3) * 0x9E3779B97F4A7C15ULL; }

static bool lidx_rebuild(struct pprof *p, size_t cap)
{
    uint32_t *ix = calloc(cap, sizeof(*ix));
    if (!ix)
        return false;
    for (size_t i = 0; i < p->nlocs; i++) {
        size_t h = addr_hash(p->locs[i].addr) & (cap - 1);
        while (ix[h])
            h = (h + 1) & (cap - 1);
        ix[h] = (uint32_t)i + 1;
    }
    free(p->lidx);
    p->lidx = ix;
    p->lidx_cap = cap;
    return true;
}

uint64_t pprof_location(struct pprof *p, uint64_t addr, const struct pprof_line *lines,
                        size_t n)
{
    if ((p->nlocs + 1) * 2 > p->lidx_cap &&
        !lidx_rebuild(p, p->lidx_cap ? p->lidx_cap * 2 : 256))
        return 0;
    size_t h = addr_hash(addr) & (p->lidx_cap - 1);
    while (p->lidx[h]) {
        if (p->locs[p->lidx[h] - 1].addr == addr)
            return p->lidx[h];
        h = (h + 1) & (p->lidx_cap - 1);
    }
    if (!grow((void **)&p->locs, &p->locs_cap, p->nlocs + 1, sizeof(*p->locs)) ||
        !grow((void **)&p->lines, &p->lines_cap, p->nlines + n, sizeof(*p->lines)))
        return 0;
    size_t first = p->nlines;
    for (size_t i = 0; i < n; i++) {
        uint64_t f = func_id(p, lines[i].func, lines[i].file);
        if (!f)
            return 0;
        p->lines[p->nlines++] = (struct line_ent){ f, lines[i].line };
    }
    p->locs[p->nlocs] = (struct loc_ent){ .addr = addr, .first = first, .n = n };
    p->lidx[h] = (uint32_t)++p->nlocs;
    return p->nlocs;
}

int pprof_sample(struct pprof *p, const uint64_t *locs, size_t n, int64_t count,
                 int64_t nanos, const struct pprof_label *labels, size_t nlabels)
{
    struct buf m = { 0 }, l = { 0 };
    f_packed(&m, 1, locs, n);
    uint64_t values[2] = { (uint64_t)count,
                           (uint64_t)(nanos >= 0 ? nanos : count * p->period_ns) };
    f_packed(&m, 2, values, 2);
    for (size_t i = 0; i < nlabels; i++) {
        int64_t k = str_id(p, labels[i].key);
        int64_t s = labels[i].str ? str_id(p, labels[i].str) : 0;
        if (k < 0 || s < 0)
            m.oom = true;
        f_uint(&l, 1, (uint64_t)k);
        if (labels[i].str)
            f_uint(&l, 2, (uint64_t)s);
        else {
            key(&l, 3, 0);          /* a zero number is still a value: always written */
            varint(&l, (uint64_t)labels[i].num);
        }
        f_msg(&m, 3, &l);
    }
    f_msg(&p->samples, 2, &m);
    free(m.b);
    free(l.b);
    return p->samples.oom ? -ENOMEM : 0;
}

static void value_type(struct buf *o, unsigned field, int64_t type, int64_t unit)
{
    struct buf m = { 0 };
    f_uint(&m, 1, (uint64_t)type);
    f_uint(&m, 2, (uint64_t)unit);
    f_msg(o, field, &m);
    free(m.b);
}

uint8_t *pprof_encode(struct pprof *p, int64_t time_ns, int64_t duration_ns, size_t *len)
{
    int64_t samples = str_id(p, "samples"), count = str_id(p, "count");
    int64_t cpu = str_id(p, "cpu"), nanos = str_id(p, "nanoseconds");
    if (samples < 0 || count < 0 || cpu < 0 || nanos < 0)
        return NULL;
    struct buf o = { 0 }, m = { 0 }, ln = { 0 };
    value_type(&o, 1, samples, count);
    value_type(&o, 1, cpu, nanos);
    put(&o, p->samples.b, p->samples.n);
    if (p->samples.oom)
        o.oom = true;
    if (p->map_limit > p->map_start) {
        f_uint(&m, 1, 1);
        f_uint(&m, 2, p->map_start);
        f_uint(&m, 3, p->map_limit);
        f_uint(&m, 5, (uint64_t)(p->map_file > 0 ? p->map_file : 0));
        f_uint(&m, 6, (uint64_t)(p->map_build > 0 ? p->map_build : 0));
        /* Symbolised here: pprof must not look the addresses up again. */
        f_bool(&m, 7, true);
        f_bool(&m, 8, true);
        f_bool(&m, 9, true);
        f_bool(&m, 10, true);
        f_msg(&o, 3, &m);
    }
    for (size_t i = 0; i < p->nlocs; i++) {
        const struct loc_ent *L = &p->locs[i];
        f_uint(&m, 1, i + 1);
        if (p->map_limit > p->map_start && L->addr >= p->map_start && L->addr < p->map_limit)
            f_uint(&m, 2, 1);
        f_uint(&m, 3, L->addr);
        for (size_t j = 0; j < L->n; j++) {
            f_uint(&ln, 1, p->lines[L->first + j].func_id);
            f_uint(&ln, 2, (uint64_t)p->lines[L->first + j].line);
            f_msg(&m, 4, &ln);
        }
        f_msg(&o, 4, &m);
    }
    for (size_t i = 0; i < p->nfuncs; i++) {
        f_uint(&m, 1, i + 1);
        f_uint(&m, 2, (uint64_t)p->funcs[i].name);
        f_uint(&m, 3, (uint64_t)p->funcs[i].name);
        f_uint(&m, 4, (uint64_t)p->funcs[i].file);
        f_msg(&o, 5, &m);
    }
    for (size_t i = 0; i < p->nstrs; i++)
        f_bytes(&o, 6, p->strs[i], strlen(p->strs[i]));
    f_uint(&o, 9, (uint64_t)time_ns);
    f_uint(&o, 10, (uint64_t)duration_ns);
    value_type(&o, 11, cpu, nanos);
    f_uint(&o, 12, (uint64_t)p->period_ns);
    free(m.b);
    free(ln.b);
    if (o.oom || m.oom || ln.oom) {
        free(o.b);
        return NULL;
    }
    *len = o.n;
    return o.b;
}

int pprof_write(struct pprof *p, const char *path, int64_t time_ns, int64_t duration_ns,
                char *why, size_t len)
{
    size_t n = 0;
    uint8_t *enc = pprof_encode(p, time_ns, duration_ns, &n);
    if (!enc) {
        snprintf(why, len, "out of memory");
        return -ENOMEM;
    }
    gzFile gz = gzopen(path, "wb");
    if (!gz) {
        int e = errno ? errno : EIO;
        snprintf(why, len, "%s: %s", path, strerror(e));
        free(enc);
        return -e;
    }
    int w = gzwrite(gz, enc, (unsigned)n);
    int c = gzclose(gz);
    free(enc);
    if (w != (int)n || c != Z_OK) {
        snprintf(why, len, "%s: write failed", path);
        return -EIO;
    }
    return 0;
}
