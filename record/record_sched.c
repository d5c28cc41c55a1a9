/* record_sched: recording codec for the snapshot's sched section (Ps, census, budget). */
#include "record/record_codec.h"

#include <string.h>

/* Every field must be in a table below (a new field gets a new tag): this stops the
 * build when the struct changes until the codec does (sizes as on x86-64). */
#if defined(__x86_64__)
_Static_assert(sizeof(struct sched_sample) == 1272 && sizeof(struct p_sample) == 72,
               "struct sched_sample or p_sample changed: update record_sched.c");
#endif

#define TAG_PS 20
#define TAG_REASONS 21

static const struct rec_field sched_fields[] = {
    REC_FIELD(1, RF_BOOL, struct sched_sample, valid),
    REC_FIELD(2, RF_INT, struct sched_sample, gomaxprocs),
    REC_FIELD(3, RF_INT, struct sched_sample, runq_global),
    REC_FIELD(4, RF_INT, struct sched_sample, idle_p),
    REC_FIELD(5, RF_INT, struct sched_sample, spinning_m),
    REC_FIELD(6, RF_INT, struct sched_sample, needspinning),
    REC_FIELD(7, RF_INT, struct sched_sample, threads),
    REC_FIELD(8, RF_INT, struct sched_sample, idle_threads),
    REC_FIELD(9, RF_INT, struct sched_sample, gc_cycles),
    REC_FIELD(10, RF_INT, struct sched_sample, gc_last_pause_ns),
    REC_FIELD(11, RF_BOOL, struct sched_sample, census_valid),
    REC_FIELD(12, RF_INT, struct sched_sample, g_total),
    REC_FIELD(13, RF_I64S, struct sched_sample, g_by_class),
    REC_FIELD(14, RF_BOOL, struct sched_sample, census_sampled),
    REC_FIELD(15, RF_F64, struct sched_sample, cpu_quota),
    REC_FIELD(16, RF_INT, struct sched_sample, nr_throttled),
    REC_FIELD(17, RF_INT, struct sched_sample, throttled_ns),
    REC_FIELD(18, RF_INT, struct sched_sample, cpus_allowed),
    REC_FIELD(19, RF_INT, struct sched_sample, cpus_online),
    REC_FIELD(22, RF_UINT, struct sched_sample, dropped),
    REC_FIELD(23, RF_INT, struct sched_sample, gomaxprocs_source),
    REC_FIELD(24, RF_INT, struct sched_sample, goids_allocated),
    REC_FIELD(25, RF_INT, struct sched_sample, g_system),
    REC_FIELD(26, RF_INT, struct sched_sample, gomaxprocs_auto),
    REC_FIELD(27, RF_INT, struct sched_sample, gomaxprocs_policy),
};

static const struct rec_field p_fields[] = {
    REC_FIELD(1, RF_INT, struct p_sample, id),
    REC_FIELD(2, RF_UINT, struct p_sample, status),
    REC_FIELD(3, RF_UINT, struct p_sample, runq),
    REC_FIELD(4, RF_UINT, struct p_sample, runq_max),
    REC_FIELD(5, RF_F64, struct p_sample, runq_mean),
    REC_FIELD(6, RF_BOOL, struct p_sample, runnext),
    REC_FIELD(7, RF_UINT, struct p_sample, schedtick),
    REC_FIELD(8, RF_UINT, struct p_sample, syscalltick),
    REC_FIELD(9, RF_INT, struct p_sample, m_id),
    REC_FIELD(10, RF_INT, struct p_sample, m_tid),
    REC_FIELD(11, RF_INT, struct p_sample, curg_goid),
    REC_FIELD(12, RF_BOOL, struct p_sample, g_in_syscall),
    REC_FIELD(13, RF_BOOL, struct p_sample, m_from_oldp),
};

void record_sched_encode(struct rec_buf *b, const struct snapshot *s)
{
    const struct sched_sample *sc = &s->sched;
    rec_put_fields(b, sched_fields, REC_NFIELDS(sched_fields), sc);
    size_t m = rec_begin(b, TAG_PS);
    record_put_array(b, sc->ps, sc->nps, sizeof(*sc->ps), p_fields, REC_NFIELDS(p_fields));
    rec_end(b, m);
    m = rec_begin(b, TAG_REASONS);
    for (size_t i = 0; i < sc->nreasons && i < SCHED_MAX_REASONS; i++) {
        size_t e = rec_begin(b, REC_ELEM);
        rec_put_str(b, 1, sc->by_reason[i].name ? sc->by_reason[i].name : "", SCHED_REASON_LEN);
        rec_put_i(b, 2, sc->by_reason[i].count);
        rec_end(b, e);
    }
    rec_end(b, m);
}

static int decode_reasons(struct rec_reader r, struct sched_sample *sc)
{
    uint32_t tag, t2;
    struct rec_reader v, f;
    int rc;
    sc->nreasons = 0;
    while ((rc = rec_next(&r, &tag, &v)) > 0) {
        if (tag != REC_ELEM || sc->nreasons >= SCHED_MAX_REASONS)
            continue;
        char name[SCHED_REASON_LEN] = "";
        int64_t count = 0;
        int rc2;
        while ((rc2 = rec_next(&v, &t2, &f)) > 0) {
            if (t2 == 1 && rec_get_str(&f, name, sizeof(name)) < 0)
                return -1;
            if (t2 == 2 && rec_get_i(&f, &count) < 0)
                return -1;
        }
        if (rc2 < 0)
            return -1;
        sc->by_reason[sc->nreasons].name = snapshot_intern(name);
        sc->by_reason[sc->nreasons++].count = count;
    }
    return rc < 0 ? -1 : 0;
}

int record_sched_decode(struct rec_reader r, struct snapshot *s, char *why, size_t len)
{
    struct sched_sample *sc = &s->sched;
    uint32_t tag;
    struct rec_reader v;
    int rc;
    sc->goids_allocated = -1;   /* recordings older than the fields: unknown, not 0 */
    sc->g_system = -1;
    while ((rc = rec_next(&r, &tag, &v)) > 0) {
        if (tag == TAG_PS) {
            void *arr = sc->ps;
            int rc2 = record_get_array(v, &arr, &sc->nps, sizeof(*sc->ps), p_fields,
                                       REC_NFIELDS(p_fields), NULL, why, len);
            sc->ps = arr;
            if (rc2 < 0)
                return -1;
        } else if (tag == TAG_REASONS) {
            if (decode_reasons(v, sc) < 0)
                return record_fail(why, len, "malformed wait-reason census");
        } else if (rec_get_field(sched_fields, REC_NFIELDS(sched_fields), tag, &v, sc) < 0) {
            return record_fail(why, len, "malformed field");
        }
    }
    return rc < 0 ? record_fail(why, len, "malformed framing") : 0;
}
