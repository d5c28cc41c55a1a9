/* record_meta: recording codecs for the snapshot's meta section and collector status[]. */
#include "record/record_codec.h"

#include <string.h>

/* Every field must be in a table below (a new field gets a new tag): this stops the
 * build when the struct changes until the codec does (sizes as on x86-64). */
#if defined(__x86_64__)
_Static_assert(sizeof(struct snapshot_meta) == 160 && sizeof(struct collector_status) == 40,
               "struct snapshot_meta or collector_status changed: update record_meta.c");
#endif

static const struct rec_field meta_fields[] = {
    REC_FIELD(1, RF_INT, struct snapshot_meta, schema),
    REC_FIELD(2, RF_INT, struct snapshot_meta, time_ns),
    REC_FIELD(3, RF_INT, struct snapshot_meta, mono_ns),
    REC_FIELD(4, RF_INT, struct snapshot_meta, pid),
    REC_FIELD(5, RF_STR, struct snapshot_meta, comm),
    REC_FIELD(6, RF_STR, struct snapshot_meta, go_version),
    REC_FIELD(7, RF_F64, struct snapshot_meta, uptime_s),
    REC_FIELD(8, RF_BOOL, struct snapshot_meta, target_gone),
};

void record_meta_encode(struct rec_buf *b, const struct snapshot *s)
{
    rec_put_fields(b, meta_fields, REC_NFIELDS(meta_fields), &s->meta);
}

int record_meta_decode(struct rec_reader r, struct snapshot *s, char *why, size_t len)
{
    if (rec_get_fields(r, meta_fields, REC_NFIELDS(meta_fields), &s->meta) < 0)
        return record_fail(why, len, "malformed field");
    return 0;
}

/* The reason (tag 3) is a string the snapshot owns: put and read apart from the table. */
#define TAG_STATUS_REASON 3
static const struct rec_field status_fields[] = {
    REC_FIELD(1, RF_STR, struct collector_status, name),
    REC_FIELD(2, RF_BOOL, struct collector_status, available),
};

void record_status_encode(struct rec_buf *b, const struct snapshot *s)
{
    for (size_t i = 0; i < s->nstatus && i < SNAPSHOT_MAX_COLLECTORS; i++) {
        const struct collector_status *st = &s->status[i];
        size_t m = rec_begin(b, REC_ELEM);
        rec_put_fields(b, status_fields, REC_NFIELDS(status_fields), st);
        rec_put_str(b, TAG_STATUS_REASON, st->reason ? st->reason : "", SNAPSHOT_REASON_LEN);
        rec_end(b, m);
    }
}

int record_status_decode(struct rec_reader r, struct snapshot *s, char *why, size_t len)
{
    uint32_t tag;
    struct rec_reader v;
    int rc;
    snapshot_clear_status(s);
    while ((rc = rec_next(&r, &tag, &v)) > 0) {
        if (tag != REC_ELEM)
            continue;
        /* More collectors than this build has room for: keep the first ones. */
        if (s->nstatus >= SNAPSHOT_MAX_COLLECTORS)
            continue;
        struct collector_status st = { .reason = NULL };
        char reason[SNAPSHOT_REASON_LEN] = "";
        uint32_t t2;
        struct rec_reader f;
        int rc2;
        while ((rc2 = rec_next(&v, &t2, &f)) > 0) {
            int got = t2 == TAG_STATUS_REASON
                          ? rec_get_str(&f, reason, sizeof(reason))
                          : rec_get_field(status_fields, REC_NFIELDS(status_fields), t2, &f, &st);
            if (got < 0)
                return record_fail(why, len, "malformed collector entry");
        }
        if (rc2 < 0)
            return record_fail(why, len, "malformed collector entry");
        if (!st.name[0])
            continue;
        /* A name seen twice keeps its first slot, with the later entry's values. */
        snapshot_set_status(s, st.name, st.available, reason);
    }
    return rc < 0 ? record_fail(why, len, "malformed framing") : 0;
}
