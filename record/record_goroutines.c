/* record_goroutines: recording codec for the goroutine groups. A frame carries its own
 * string table and stack table (each function, file and stack once, groups refer to them
 * by index), so a big program's groups cost their distinct names, not their repeats;
 * what repeats from frame to frame the run's zlib dictionary takes. Decoding pools the
 * stacks again (model/gstack), so replay keeps the live identity of groups. */
#include "record/record_codec.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Every field must be in a table below (a new field gets a new tag): this stops the
 * build when the struct changes until the codec does (sizes as on x86-64). */
#if defined(__x86_64__)
_Static_assert(sizeof(struct goroutines_sample) == 120 &&
               sizeof(struct goroutine_group) == 48 && sizeof(struct gframe) == 24,
               "the goroutines structs changed: update record_goroutines.c");
#endif

#define TAG_STRINGS 20
#define TAG_STACKS 21
#define TAG_GROUPS 22
#define STR_MAX 4096            /* longest function or file name kept */
#define MAX_STRINGS (1u << 18)

static const struct rec_field sample_fields[] = {
    REC_FIELD(1, RF_BOOL, struct goroutines_sample, valid),
    REC_FIELD(2, RF_INT, struct goroutines_sample, total),
    REC_FIELD(3, RF_INT, struct goroutines_sample, read),
    REC_FIELD(4, RF_BOOL, struct goroutines_sample, sampled),
    REC_FIELD(5, RF_INT, struct goroutines_sample, stacks_dropped),
    REC_FIELD(6, RF_INT, struct goroutines_sample, stacks_unreadable),
    REC_FIELD(7, RF_UINT, struct goroutines_sample, dropped_total),
    REC_FIELD(8, RF_INT, struct goroutines_sample, other_count),
    REC_FIELD(9, RF_INT, struct goroutines_sample, other_groups),
    REC_FIELD(10, RF_F64, struct goroutines_sample, refresh_s),
    REC_FIELD(11, RF_INT, struct goroutines_sample, refreshed_ns),
    REC_FIELD(12, RF_BOOL, struct goroutines_sample, stale),
    REC_FIELD(13, RF_INT, struct goroutines_sample, oncpu_samples),
};

/* ---- encode: pointer-keyed tables (strings and stacks are pooled: equal = same) ---- */

struct index_set {
    const void **keys;
    uint32_t *vals;
    size_t cap, len;
};

static size_t slot_for(const struct index_set *t, const void *k)
{
    uintptr_t h = (uintptr_t)k * 0x9e3779b97f4a7c15ull;
    size_t i = (size_t)(h >> 17) & (t->cap - 1);
    while (t->keys[i] && t->keys[i] != k)
        i = (i + 1) & (t->cap - 1);
    return i;
}

static bool set_init(struct index_set *t, size_t want)
{
    t->cap = 64;
    while (t->cap < want * 2)
        t->cap *= 2;
    t->len = 0;
    t->keys = calloc(t->cap, sizeof(*t->keys));
    t->vals = calloc(t->cap, sizeof(*t->vals));
    return t->keys && t->vals;
}

static void set_free(struct index_set *t)
{
    free(t->keys);
    free(t->vals);
}

/* The index of k, adding it (in order) when new; UINT32_MAX when full. */
static uint32_t set_index(struct index_set *t, const void *k, bool *added)
{
    size_t i = slot_for(t, k);
    *added = false;
    if (t->keys[i])
        return t->vals[i];
    if ((t->len + 1) * 2 > t->cap)
        return UINT32_MAX;
    t->keys[i] = k;
    t->vals[i] = (uint32_t)t->len++;
    *added = true;
    return t->vals[i];
}

static uint32_t str_index(struct index_set *strs, struct rec_buf *b, const char *s)
{
    bool added;
    uint32_t ix = set_index(strs, s, &added);
    if (added)
        rec_put_str(b, 1, s, STR_MAX);
    return ix;
}

void record_goroutines_encode(struct rec_buf *b, const struct snapshot *s)
{
    const struct goroutines_sample *g = &s->goroutines;
    rec_put_fields(b, sample_fields, REC_NFIELDS(sample_fields), g);
    if (!g->valid || !g->ngroups)
        return;
    size_t most = 8;
    for (size_t i = 0; i < g->ngroups; i++)
        most += 3 + 2 * (size_t)g->groups[i].stack->nframes;
    struct index_set strs, stacks;
    if (!set_init(&strs, most) || !set_init(&stacks, g->ngroups)) {
        set_free(&strs);
        set_free(&stacks);
        return;
    }
    /* Strings first (a reader resolves indexes as it goes), then stacks, then groups. */
    size_t m = rec_begin(b, TAG_STRINGS);
    for (size_t i = 0; i < g->ngroups; i++) {
        const struct gstack *st = g->groups[i].stack;
        str_index(&strs, b, g->groups[i].wait_reason);
        str_index(&strs, b, st->created_by.func);
        str_index(&strs, b, st->created_by.file);
        str_index(&strs, b, st->start.func);
        for (size_t k = 0; k < st->nframes; k++) {
            str_index(&strs, b, st->frames[k].func);
            str_index(&strs, b, st->frames[k].file);
        }
    }
    rec_end(b, m);
    bool added;
    m = rec_begin(b, TAG_STACKS);
    for (size_t i = 0; i < g->ngroups; i++) {
        const struct gstack *st = g->groups[i].stack;
        set_index(&stacks, st, &added);
        if (!added)
            continue;
        size_t e = rec_begin(b, REC_ELEM);
        uint64_t cb[3] = { set_index(&strs, st->created_by.func, &added),
                           set_index(&strs, st->created_by.file, &added),
                           (uint64_t)(uint32_t)st->created_by.line };
        rec_put_u64s(b, 1, cb, 3);
        rec_put_u(b, 2, set_index(&strs, st->start.func, &added));
        rec_put_bool(b, 3, st->truncated);
        /* frames: func, file, line, inlined per frame */
        uint64_t fr[4 * GSTACK_MAX_FRAMES];
        for (size_t k = 0; k < st->nframes; k++) {
            fr[4 * k] = set_index(&strs, st->frames[k].func, &added);
            fr[4 * k + 1] = set_index(&strs, st->frames[k].file, &added);
            fr[4 * k + 2] = (uint64_t)(uint32_t)st->frames[k].line;
            fr[4 * k + 3] = st->frames[k].inlined;
        }
        rec_put_u64s(b, 4, fr, 4 * (size_t)st->nframes);
        rec_end(b, e);
    }
    rec_end(b, m);
    m = rec_begin(b, TAG_GROUPS);
    for (size_t i = 0; i < g->ngroups; i++) {
        const struct goroutine_group *gr = &g->groups[i];
        size_t e = rec_begin(b, REC_ELEM);
        rec_put_u(b, 1, set_index(&stacks, gr->stack, &added));
        rec_put_i(b, 2, gr->status);
        rec_put_u(b, 3, set_index(&strs, gr->wait_reason, &added));
        rec_put_i(b, 4, gr->count);
        rec_put_f64(b, 5, gr->max_wait_s);
        if (gr->on_cpu_samples)
            rec_put_i(b, 6, gr->on_cpu_samples);
        rec_end(b, e);
    }
    rec_end(b, m);
    set_free(&strs);
    set_free(&stacks);
}

/* ---- decode ------------------------------------------------------------------------ */

struct tables {
    const char **strs;
    size_t nstrs;
    const struct gstack **stacks;
    size_t nstacks;
};

static int decode_strings(struct rec_reader r, struct tables *t)
{
    long n = record_count_elems(r, MAX_STRINGS);   /* strings are tag 1 = REC_ELEM */
    if (n < 0 || !(t->strs = calloc(n ? (size_t)n : 1, sizeof(*t->strs))))
        return -1;
    uint32_t tag;
    struct rec_reader v;
    static char buf[STR_MAX];
    while (rec_next(&r, &tag, &v) > 0) {
        if (tag != 1)
            continue;
        if (rec_get_str(&v, buf, sizeof(buf)) < 0 || !(t->strs[t->nstrs] = gstack_str(buf)))
            return -1;
        t->nstrs++;
    }
    return 0;
}

static const char *str_at(const struct tables *t, uint64_t ix)
{
    return ix < t->nstrs ? t->strs[ix] : NULL;
}

static int decode_frame(const struct tables *t, const uint64_t *v, struct gframe *f)
{
    f->func = str_at(t, v[0]);
    f->file = str_at(t, v[1]);
    f->line = (int32_t)(uint32_t)v[2];
    return f->func && f->file && v[2] <= INT32_MAX ? 0 : -1;
}

static int decode_stack(struct rec_reader r, const struct tables *t, const struct gstack **out)
{
    uint32_t tag;
    struct rec_reader v;
    struct gframe cb = { 0 }, start = { 0 }, frames[GSTACK_MAX_FRAMES];
    uint64_t raw[4 * GSTACK_MAX_FRAMES], cbraw[3];
    size_t n = 0;
    bool truncated = false, have_cb = false;
    uint64_t start_ix = UINT64_MAX, x;
    int rc;
    while ((rc = rec_next(&r, &tag, &v)) > 0) {
        if (tag == 1) {
            if (rec_count_varints(&v) != 3 || rec_get_u64s(&v, cbraw, 3) < 0 ||
                decode_frame(t, cbraw, &cb) < 0)
                return -1;
            have_cb = true;
        } else if (tag == 2) {
            if (rec_get_u(&v, &start_ix) < 0 || !(start.func = str_at(t, start_ix)))
                return -1;
        } else if (tag == 3) {
            if (rec_get_u(&v, &x) < 0 || x > 1)
                return -1;
            truncated = x;
        } else if (tag == 4) {
            long k = rec_count_varints(&v);
            if (k < 0 || k % 4 || k > 4 * GSTACK_MAX_FRAMES ||
                rec_get_u64s(&v, raw, (size_t)k) < 0)
                return -1;
            n = (size_t)k / 4;
            for (size_t i = 0; i < n; i++) {
                if (decode_frame(t, raw + 4 * i, &frames[i]) < 0 || raw[4 * i + 3] > 1)
                    return -1;
                frames[i].inlined = raw[4 * i + 3];
            }
        }
    }
    if (rc < 0 || !have_cb || !start.func)
        return -1;
    start.file = gstack_str("");
    *out = gstack_intern(frames, n, truncated, &cb, &start);
    return *out ? 0 : -1;
}

static int decode_stacks(struct rec_reader r, struct tables *t)
{
    long n = record_count_elems(r, REC_MAX_ELEMS);
    if (n < 0 || !(t->stacks = calloc(n ? (size_t)n : 1, sizeof(*t->stacks))))
        return -1;
    uint32_t tag;
    struct rec_reader v;
    while (rec_next(&r, &tag, &v) > 0)
        if (tag == REC_ELEM && decode_stack(v, t, &t->stacks[t->nstacks++]) < 0)
            return -1;
    return 0;
}

static int decode_group(struct rec_reader r, const struct tables *t, struct goroutine_group *g)
{
    uint32_t tag;
    struct rec_reader v;
    uint64_t u;
    int64_t i;
    int rc;
    g->max_wait_s = NAN;
    while ((rc = rec_next(&r, &tag, &v)) > 0) {
        int bad = 0;
        if (tag == 1)
            bad = rec_get_u(&v, &u) < 0 || u >= t->nstacks || !(g->stack = t->stacks[u]);
        else if (tag == 2)
            bad = rec_get_i(&v, &i) < 0 || i < 0 || i >= GO_G_CLASS_COUNT ||
                  !((g->status = (int32_t)i) || true);
        else if (tag == 3)
            bad = rec_get_u(&v, &u) < 0 || !(g->wait_reason = str_at(t, u));
        else if (tag == 4)
            bad = rec_get_i(&v, &g->count) < 0 || g->count < 0;
        else if (tag == 5)
            bad = rec_get_f64(&v, &g->max_wait_s) < 0;
        else if (tag == 6)
            bad = rec_get_i(&v, &g->on_cpu_samples) < 0 || g->on_cpu_samples < 0;
        if (bad)
            return -1;
    }
    return rc < 0 || !g->stack || !g->wait_reason ? -1 : 0;
}

int record_goroutines_decode(struct rec_reader r, struct snapshot *s, char *why, size_t len)
{
    struct goroutines_sample *g = &s->goroutines;
    struct tables t = { 0 };
    struct rec_reader v, groups = { NULL, 0, 0 };
    uint32_t tag;
    int rc, res = -1;
    const char *what = "malformed field";
    goroutines_sample_free(g);
    memset(g, 0, sizeof(*g));
    g->oncpu_samples = -1;      /* recorded before on-CPU profiles: none */
    while ((rc = rec_next(&r, &tag, &v)) > 0) {
        if (tag == TAG_STRINGS) {
            what = "malformed string table";
            if (t.strs || decode_strings(v, &t) < 0)
                goto out;
        } else if (tag == TAG_STACKS) {
            what = "malformed stack";
            if (t.stacks || decode_stacks(v, &t) < 0)
                goto out;
        } else if (tag == TAG_GROUPS) {
            groups = v;
        } else if (rec_get_field(sample_fields, REC_NFIELDS(sample_fields), tag, &v, g) < 0) {
            goto out;
        }
    }
    what = "malformed framing";
    if (rc < 0)
        goto out;
    what = "malformed group";
    long n = groups.p ? record_count_elems(groups, REC_MAX_ELEMS) : 0;
    if (n < 0 || (n && !(g->groups = calloc((size_t)n, sizeof(*g->groups)))))
        goto out;
    while (n && rec_next(&groups, &tag, &v) > 0) {
        if (tag != REC_ELEM)
            continue;
        if (decode_group(v, &t, &g->groups[g->ngroups]) < 0)
            goto out;
        g->ngroups++;
    }
    res = 0;
out:
    free(t.strs);
    free(t.stacks);
    if (res < 0) {
        goroutines_sample_free(g);
        memset(g, 0, sizeof(*g));
        return record_fail(why, len, what);
    }
    return 0;
}
