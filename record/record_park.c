/* record_park: recording codec for the park section (BPF park and wake-to-run
 * histograms, the overhead governor's state). */
#include "record/record_codec.h"

#include <math.h>
#include <string.h>

/* Every field must be in a table below (a new field gets a new tag): this stops the
 * build when the struct changes until the codec does (sizes as on x86-64). */
#if defined(__x86_64__)
_Static_assert(sizeof(struct park_sample) == 1016 && sizeof(struct park_hist_sample) == 392,
               "struct park_sample or park_hist_sample changed: update record_park.c");
#endif

#define TAG_REASONS 30
#define TAG_WAKE 31

static const struct rec_field park_fields[] = {
    REC_FIELD(1, RF_BOOL, struct park_sample, valid),
    REC_FIELD(2, RF_INT, struct park_sample, state),
    REC_FIELD(3, RF_STR, struct park_sample, why),
    REC_FIELD(4, RF_STR, struct park_sample, probe),
    REC_FIELD(5, RF_UINT, struct park_sample, epoch),
    REC_FIELD(6, RF_F64, struct park_sample, budget_pct),
    REC_FIELD(7, RF_F64, struct park_sample, cost_ns),
    REC_FIELD(8, RF_F64, struct park_sample, events_per_s),
    REC_FIELD(9, RF_F64, struct park_sample, full_overhead_pct),
    REC_FIELD(10, RF_F64, struct park_sample, est_overhead_pct),
    REC_FIELD(11, RF_F64, struct park_sample, duty),
    REC_FIELD(12, RF_F64, struct park_sample, attached_s),
    REC_FIELD(13, RF_U64S, struct park_sample, events),
    REC_FIELD(14, RF_F64, struct park_sample, gov_cost_ns),
    REC_FIELD(15, RF_BOOL, struct park_sample, cost_measured),
    REC_FIELD(16, RF_F64, struct park_sample, measured_overhead_pct),
    REC_FIELD(17, RF_F64, struct park_sample, measured_err_pct),
    REC_FIELD(18, RF_F64, struct park_sample, measured_cost_ns),
    REC_FIELD(19, RF_F64, struct park_sample, measured_cost_err_ns),
    REC_FIELD(20, RF_BOOL, struct park_sample, ref_windows),
    REC_FIELD(21, RF_F64, struct park_sample, self_overhead_pct),
};

static const struct rec_field hist_fields[] = {
    REC_FIELD(1, RF_INT, struct park_hist_sample, reason),
    REC_FIELD(2, RF_STR, struct park_hist_sample, name),
    REC_FIELD(3, RF_UINT, struct park_hist_sample, count),
    REC_FIELD(4, RF_UINT, struct park_hist_sample, sum_ns),
    REC_FIELD(5, RF_UINT, struct park_hist_sample, max_ns),
    REC_FIELD(6, RF_U64S, struct park_hist_sample, slots),
};

void record_park_encode(struct rec_buf *b, const struct snapshot *s)
{
    const struct park_sample *p = &s->park;
    rec_put_fields(b, park_fields, REC_NFIELDS(park_fields), p);
    size_t m = rec_begin(b, TAG_REASONS);
    record_put_array(b, p->reasons, p->nreasons, sizeof(*p->reasons), hist_fields,
                     REC_NFIELDS(hist_fields));
    rec_end(b, m);
    m = rec_begin(b, TAG_WAKE);
    rec_put_fields(b, hist_fields, REC_NFIELDS(hist_fields), &p->wake);
    rec_end(b, m);
}

int record_park_decode(struct rec_reader r, struct snapshot *s, char *why, size_t len)
{
    struct park_sample *p = &s->park;
    uint32_t tag;
    struct rec_reader v;
    int rc;
    p->self_overhead_pct = NAN;   /* recordings before it was measured: unknown, not 0 */
    while ((rc = rec_next(&r, &tag, &v)) > 0) {
        if (tag == TAG_REASONS) {
            void *arr = p->reasons;
            int rc2 = record_get_array(v, &arr, &p->nreasons, sizeof(*p->reasons),
                                       hist_fields, REC_NFIELDS(hist_fields), NULL, why, len);
            p->reasons = arr;
            if (rc2 < 0)
                return -1;
        } else if (tag == TAG_WAKE) {
            memset(&p->wake, 0, sizeof(p->wake));
            if (rec_get_fields(v, hist_fields, REC_NFIELDS(hist_fields), &p->wake) < 0)
                return record_fail(why, len, "malformed wake-to-run histogram");
        } else if (rec_get_field(park_fields, REC_NFIELDS(park_fields), tag, &v, p) < 0) {
            return record_fail(why, len, "malformed field");
        }
    }
    if (rc < 0)
        return record_fail(why, len, "malformed framing");
    if (p->state < PARK_GOV_UNAVAILABLE || p->state > PARK_GOV_OFF)
        return record_fail(why, len, "unknown governor state");
    return 0;
}
