/* record_cpuprof: recording codec for the on-CPU profile section. Names are written in
 * full in each frame: the run's zlib dictionary and window take their repeats. Decoding
 * pools strings and stacks again (model/gstack), as the live collector does. */
#include "record/record_codec.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
_Static_assert(sizeof(struct cpuprof_sample) == 4456 && sizeof(struct cpuprof_func) == 40 &&
               sizeof(struct cpuprof_g) == 56 && sizeof(struct cpuprof_hot) == 16,
               "the cpuprof structs changed: update record_cpuprof.c");
#endif

#define TAG_TOP 30
#define TAG_MINUTE 31
#define TAG_GS 32
#define TAG_HOT 33
#define STR_MAX 4096

static const struct rec_field fields[] = {
    REC_FIELD(1, RF_BOOL, struct cpuprof_sample, valid),
    REC_FIELD(2, RF_F64, struct cpuprof_sample, hz),
    REC_FIELD(3, RF_F64, struct cpuprof_sample, interval_s),
    REC_FIELD(4, RF_INT, struct cpuprof_sample, samples),
    REC_FIELD(5, RF_INT, struct cpuprof_sample, kernel),
    REC_FIELD(6, RF_INT, struct cpuprof_sample, unattributed),
    REC_FIELD(7, RF_I64S, struct cpuprof_sample, by_kind),
    REC_FIELD(8, RF_UINT, struct cpuprof_sample, lost_total),
    REC_FIELD(9, RF_INT, struct cpuprof_sample, threads),
    REC_FIELD(10, RF_F64, struct cpuprof_sample, minute_s),
    REC_FIELD(11, RF_INT, struct cpuprof_sample, minute_samples),
    REC_FIELD(12, RF_STR, struct cpuprof_sample, note),
    REC_FIELD(13, RF_STR, struct cpuprof_sample, export_msg),
    REC_FIELD(14, RF_F64, struct cpuprof_sample, cost_pct),
    REC_FIELD(15, RF_F64, struct cpuprof_sample, budget_pct),
    REC_FIELD(16, RF_F64, struct cpuprof_sample, sample_cost_us),
    REC_FIELD(17, RF_STR, struct cpuprof_sample, events),
};

static void put_funcs(struct rec_buf *b, uint32_t tag, const struct cpuprof_func *f, size_t n)
{
    size_t m = rec_begin(b, tag);
    for (size_t i = 0; i < n; i++) {
        size_t e = rec_begin(b, REC_ELEM);
        rec_put_str(b, 1, f[i].func, STR_MAX);
        rec_put_str(b, 2, f[i].file, STR_MAX);
        rec_put_i(b, 3, f[i].kind);
        rec_put_i(b, 4, f[i].self);
        rec_put_i(b, 5, f[i].total);
        rec_end(b, e);
    }
    rec_end(b, m);
}

static void put_frame(struct rec_buf *b, uint32_t tag, const struct gframe *f)
{
    size_t e = rec_begin(b, tag);
    rec_put_str(b, 1, f->func, STR_MAX);
    rec_put_str(b, 2, f->file, STR_MAX);
    rec_put_i(b, 3, f->line);
    rec_put_bool(b, 4, f->inlined);
    rec_end(b, e);
}

void record_cpuprof_encode(struct rec_buf *b, const struct snapshot *s)
{
    const struct cpuprof_sample *c = s->cpuprof;
    if (!c)
        return;
    rec_put_fields(b, fields, REC_NFIELDS(fields), c);
    put_funcs(b, TAG_TOP, c->top, c->ntop);
    put_funcs(b, TAG_MINUTE, c->minute, c->nminute);
    size_t m = rec_begin(b, TAG_GS);
    for (size_t i = 0; i < c->ngs; i++) {
        const struct cpuprof_g *g = &c->gs[i];
        size_t e = rec_begin(b, REC_ELEM);
        rec_put_u(b, 1, g->g);
        rec_put_i(b, 2, g->goid);
        rec_put_str(b, 3, g->start_func ? g->start_func : "", STR_MAX);
        rec_put_str(b, 4, g->where ? g->where : "", STR_MAX);
        rec_put_i(b, 5, g->tid);
        rec_put_i(b, 6, g->cpu);
        rec_put_i(b, 7, g->p);
        rec_put_i(b, 8, g->samples);
        rec_end(b, e);
    }
    rec_end(b, m);
    m = rec_begin(b, TAG_HOT);
    for (size_t i = 0; i < c->nhot; i++) {
        const struct gstack *st = c->hot[i].stack;
        size_t e = rec_begin(b, REC_ELEM);
        rec_put_i(b, 1, c->hot[i].samples);
        rec_put_bool(b, 2, st->truncated);
        for (size_t k = 0; k < st->nframes; k++)
            put_frame(b, 3, &st->frames[k]);
        rec_end(b, e);
    }
    rec_end(b, m);
}

/* ---- decode ------------------------------------------------------------------------ */

static const char *get_str(struct rec_reader *v)
{
    static char buf[STR_MAX];
    return rec_get_str(v, buf, sizeof(buf)) < 0 ? NULL : gstack_str(buf);
}

static int get_int(struct rec_reader *v, int64_t lo, int64_t hi, int64_t *out)
{
    return rec_get_i(v, out) < 0 || *out < lo || *out > hi ? -1 : 0;
}

static int decode_funcs(struct rec_reader r, struct cpuprof_func *out, uint16_t *n)
{
    uint32_t tag, t2;
    struct rec_reader e, v;
    int rc;
    *n = 0;
    while ((rc = rec_next(&r, &tag, &e)) > 0) {
        if (tag != REC_ELEM)
            continue;
        if (*n == CPUPROF_TOP_MAX)
            return -1;
        struct cpuprof_func *f = &out[*n];
        *f = (struct cpuprof_func){ 0 };
        int64_t x;
        while ((rc = rec_next(&e, &t2, &v)) > 0) {
            int bad = 0;
            if (t2 == 1)
                bad = !(f->func = get_str(&v));
            else if (t2 == 2)
                bad = !(f->file = get_str(&v));
            else if (t2 == 3)
                bad = get_int(&v, 0, CPUPROF_KIND_COUNT - 1, &x) || !((f->kind = (int32_t)x) || 1);
            else if (t2 == 4)
                bad = get_int(&v, 0, INT64_MAX, &f->self);
            else if (t2 == 5)
                bad = get_int(&v, 0, INT64_MAX, &f->total);
            if (bad)
                return -1;
        }
        if (rc < 0 || !f->func || !f->file)
            return -1;
        (*n)++;
    }
    return rc < 0 ? -1 : 0;
}

static int decode_gs(struct rec_reader r, struct cpuprof_sample *c)
{
    uint32_t tag, t2;
    struct rec_reader e, v;
    int rc;
    while ((rc = rec_next(&r, &tag, &e)) > 0) {
        if (tag != REC_ELEM)
            continue;
        if (c->ngs == CPUPROF_GS_MAX)
            return -1;
        struct cpuprof_g *g = &c->gs[c->ngs];
        *g = (struct cpuprof_g){ .p = -1 };
        int64_t x;
        uint64_t u;
        while ((rc = rec_next(&e, &t2, &v)) > 0) {
            int bad = 0;
            switch (t2) {
            case 1: bad = rec_get_u(&v, &u) < 0; g->g = u; break;
            case 2: bad = get_int(&v, -2, INT64_MAX, &g->goid); break;
            case 3: bad = !(g->start_func = get_str(&v)); break;
            case 4: bad = !(g->where = get_str(&v)); break;
            case 5: bad = get_int(&v, 0, INT32_MAX, &x); g->tid = (pid_t)x; break;
            case 6: bad = get_int(&v, -1, INT32_MAX, &x); g->cpu = (int32_t)x; break;
            case 7: bad = get_int(&v, -1, INT32_MAX, &x); g->p = (int32_t)x; break;
            case 8: bad = get_int(&v, 0, INT64_MAX, &g->samples); break;
            default: break;
            }
            if (bad)
                return -1;
        }
        if (rc < 0)
            return -1;
        c->ngs++;
    }
    return rc < 0 ? -1 : 0;
}

static int decode_frame(struct rec_reader r, struct gframe *f)
{
    uint32_t tag;
    struct rec_reader v;
    int64_t x;
    uint64_t u;
    int rc;
    *f = (struct gframe){ 0 };
    while ((rc = rec_next(&r, &tag, &v)) > 0) {
        int bad = 0;
        if (tag == 1)
            bad = !(f->func = get_str(&v));
        else if (tag == 2)
            bad = !(f->file = get_str(&v));
        else if (tag == 3)
            bad = get_int(&v, 0, INT32_MAX, &x) || !((f->line = (int32_t)x) || 1);
        else if (tag == 4)
            bad = rec_get_u(&v, &u) < 0 || u > 1 || !((f->inlined = u) || 1);
        if (bad)
            return -1;
    }
    return rc < 0 || !f->func || !f->file ? -1 : 0;
}

static int decode_hot(struct rec_reader r, struct cpuprof_sample *c)
{
    uint32_t tag, t2;
    struct rec_reader e, v;
    int rc;
    static struct gframe frames[GSTACK_MAX_FRAMES];
    while ((rc = rec_next(&r, &tag, &e)) > 0) {
        if (tag != REC_ELEM)
            continue;
        if (c->nhot == CPUPROF_HOT_MAX)
            return -1;
        int64_t samples = 0;
        uint64_t tr = 0;
        size_t n = 0;
        while ((rc = rec_next(&e, &t2, &v)) > 0) {
            int bad = 0;
            if (t2 == 1)
                bad = get_int(&v, 0, INT64_MAX, &samples);
            else if (t2 == 2)
                bad = rec_get_u(&v, &tr) < 0 || tr > 1;
            else if (t2 == 3)
                bad = n == GSTACK_MAX_FRAMES || decode_frame(v, &frames[n++]) < 0;
            if (bad)
                return -1;
        }
        struct gframe none = { .func = "", .file = "" };
        const struct gstack *st = rc < 0 ? NULL : gstack_intern_ref(frames, n, tr, &none, &none);
        if (!st)
            return -1;
        c->hot[c->nhot++] = (struct cpuprof_hot){ .stack = st, .samples = samples };
    }
    return rc < 0 ? -1 : 0;
}

int record_cpuprof_decode(struct rec_reader r, struct snapshot *s, char *why, size_t len)
{
    struct cpuprof_sample *c = calloc(1, sizeof(*c));
    if (!c) {
        record_fail(why, len, "out of memory");
        return -1;
    }
    c->cost_pct = NAN;
    c->sample_cost_us = NAN;
    uint32_t tag;
    struct rec_reader v;
    int rc;
    bool any = false;
    const char *what = "malformed field";
    while ((rc = rec_next(&r, &tag, &v)) > 0) {
        any = true;
        int bad = 0;
        if (tag == TAG_TOP)
            bad = (what = "malformed function", decode_funcs(v, c->top, &c->ntop) < 0);
        else if (tag == TAG_MINUTE)
            bad = (what = "malformed function", decode_funcs(v, c->minute, &c->nminute) < 0);
        else if (tag == TAG_GS)
            bad = (what = "malformed goroutine", decode_gs(v, c) < 0);
        else if (tag == TAG_HOT)
            bad = (what = "malformed stack", decode_hot(v, c) < 0);
        else
            bad = (what = "malformed field",
                   rec_get_field(fields, REC_NFIELDS(fields), tag, &v, c) < 0);
        if (bad) {
            cpuprof_sample_free(c);
            record_fail(why, len, what);
            return -1;
        }
    }
    if (rc < 0) {
        cpuprof_sample_free(c);
        record_fail(why, len, "malformed section");
        return -1;
    }
    c->note[sizeof(c->note) - 1] = '\0';
    c->export_msg[sizeof(c->export_msg) - 1] = '\0';
    if (!any) {                 /* not profiled in this snapshot */
        cpuprof_sample_free(c);
        return 0;
    }
    cpuprof_sample_free(s->cpuprof);
    s->cpuprof = c;
    return 0;
}
