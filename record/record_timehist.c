/* record_timehist: recording codecs for the runtime histograms (sched_latency, gc_pauses):
 * the bucket layout and the raw cumulative counts. */
#include "record/record_codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every field must be in a table below (a new field gets a new tag): this stops the
 * build when the struct changes until the codec does (sizes as on x86-64). */
#if defined(__x86_64__)
_Static_assert(sizeof(struct go_timehist_layout) == 40 && sizeof(struct timehist_sample) == 56,
               "struct go_timehist_layout or timehist_sample changed: update record_timehist.c");
#endif

#define TAG_VALID 1
#define TAG_LAYOUT 2
#define TAG_UNDERFLOW 3
#define TAG_OVERFLOW 4
#define TAG_COUNTS 5

static const struct rec_field layout_fields[] = {
    REC_FIELD(1, RF_INT, struct go_timehist_layout, version_minor),
    REC_FIELD(2, RF_UINT, struct go_timehist_layout, ncounts),
    REC_FIELD(3, RF_BOOL, struct go_timehist_layout, has_overflow),
    REC_FIELD(4, RF_UINT, struct go_timehist_layout, sub_bits),
    REC_FIELD(5, RF_UINT, struct go_timehist_layout, min_bits),
    REC_FIELD(6, RF_UINT, struct go_timehist_layout, nraw),
};

static void encode(struct rec_buf *b, const struct timehist_sample *h)
{
    rec_put_bool(b, TAG_VALID, h->valid);
    size_t m = rec_begin(b, TAG_LAYOUT);
    rec_put_fields(b, layout_fields, REC_NFIELDS(layout_fields), &h->layout);
    rec_end(b, m);
    if (!h->raw || h->layout.ncounts > GO_TIMEHIST_MAX_COUNTS)
        return;
    rec_put_u(b, TAG_UNDERFLOW, h->raw->underflow);
    rec_put_u(b, TAG_OVERFLOW, h->raw->overflow);
    rec_put_u64s(b, TAG_COUNTS, h->raw->counts, h->layout.ncounts);
}

/* The layout is only trusted when it is exactly what this build derives for its Go
 * version: the decoders index counts[] by it. Anything else reads as unavailable. */
static bool layout_ok(const struct go_timehist_layout *l)
{
    if (l->version_minor < 0 || l->version_minor > 999 || l->ncounts == 0 ||
        l->ncounts > GO_TIMEHIST_MAX_COUNTS)
        return false;
    char version[16], reason[200];
    struct go_timehist_layout want;
    snprintf(version, sizeof(version), "go1.%d", l->version_minor);
    if (go_timehist_layout_for(version, l->ncounts, &want, reason, sizeof(reason)) != 0)
        return false;
    return want.ncounts == l->ncounts && want.has_overflow == l->has_overflow &&
           want.sub_bits == l->sub_bits && want.min_bits == l->min_bits &&
           want.nraw == l->nraw;
}

static int decode(struct rec_reader r, struct timehist_sample *h, char *why, size_t len)
{
    uint32_t tag;
    struct rec_reader v, counts = { NULL, 0, 0 };
    bool have_counts = false;
    uint64_t under = 0, over = 0;
    int rc;
    while ((rc = rec_next(&r, &tag, &v)) > 0) {
        int bad = 0;
        switch (tag) {
        case TAG_VALID: {
            uint64_t x;
            bad = rec_get_u(&v, &x) < 0 || x > 1;
            h->valid = x == 1;
            break;
        }
        case TAG_LAYOUT:
            bad = rec_get_fields(v, layout_fields, REC_NFIELDS(layout_fields), &h->layout) < 0;
            break;
        case TAG_UNDERFLOW: bad = rec_get_u(&v, &under) < 0; break;
        case TAG_OVERFLOW: bad = rec_get_u(&v, &over) < 0; break;
        case TAG_COUNTS: counts = v; have_counts = true; break;
        default: break;
        }
        if (bad)
            return record_fail(why, len, "malformed field");
    }
    if (rc < 0)
        return record_fail(why, len, "malformed framing");
    free(h->raw);
    h->raw = NULL;
    if (!have_counts || !layout_ok(&h->layout)) {
        h->valid = false;
        return 0;
    }
    h->raw = calloc(1, go_timehist_raw_size(&h->layout));
    if (!h->raw)
        return record_fail(why, len, "out of memory");
    h->raw->underflow = under;
    h->raw->overflow = over;
    if (rec_get_u64s(&counts, h->raw->counts, h->layout.ncounts) < 0)
        return record_fail(why, len, "more bucket counts than the layout has");
    return 0;
}

void record_sched_latency_encode(struct rec_buf *b, const struct snapshot *s)
{
    encode(b, &s->sched_latency);
}

int record_sched_latency_decode(struct rec_reader r, struct snapshot *s, char *why,
                                size_t len)
{
    return decode(r, &s->sched_latency, why, len);
}

void record_gc_pauses_encode(struct rec_buf *b, const struct snapshot *s)
{
    encode(b, &s->gc_pauses);
}

int record_gc_pauses_decode(struct rec_reader r, struct snapshot *s, char *why, size_t len)
{
    return decode(r, &s->gc_pauses, why, len);
}
