/* record_codec: one snapshot <-> the bytes of one recording frame (before compression),
 * section by section through a table of small codecs (record/record_*.c). */
#include "record/record_codec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct record_section sections[] = {
    { REC_SEC_META, "meta", record_meta_encode, record_meta_decode },
    { REC_SEC_THREADS, "threads", record_threads_encode, record_threads_decode },
    { REC_SEC_CPUS, "cpus", record_cpus_encode, record_cpus_decode },
    { REC_SEC_SCHED, "sched", record_sched_encode, record_sched_decode },
    { REC_SEC_SCHED_LATENCY, "sched_latency", record_sched_latency_encode,
      record_sched_latency_decode },
    { REC_SEC_GC_PAUSES, "gc_pauses", record_gc_pauses_encode, record_gc_pauses_decode },
    { REC_SEC_DIAG, "diag", record_diag_encode, record_diag_decode },
    { REC_SEC_STATUS, "status", record_status_encode, record_status_decode },
    { REC_SEC_PARK, "park", record_park_encode, record_park_decode },
    { REC_SEC_CORES, "cores", record_cores_encode, record_cores_decode },
    { REC_SEC_NUMA, "numa", record_numa_encode, record_numa_decode },
    { REC_SEC_GOROUTINES, "goroutines", record_goroutines_encode, record_goroutines_decode },
    { REC_SEC_CPUPROF, "cpuprof", record_cpuprof_encode, record_cpuprof_decode },
};

size_t record_section_count(void) { return sizeof(sections) / sizeof(sections[0]); }

const struct record_section *record_section_at(size_t i)
{
    return i < record_section_count() ? &sections[i] : NULL;
}

int record_encode(struct rec_buf *b, const struct snapshot *s)
{
    rec_buf_reset(b);
    for (size_t i = 0; i < record_section_count(); i++) {
        size_t mark = rec_begin(b, sections[i].tag);
        sections[i].encode(b, s);
        rec_end(b, mark);
    }
    return b->oom ? -ENOMEM : 0;
}

struct snapshot *record_decode(const void *p, size_t len, char *why, size_t whylen)
{
    struct snapshot *s = snapshot_new();
    if (!s) {
        record_fail(why, whylen, "out of memory");
        return NULL;
    }
    struct rec_reader r = rec_reader_of(p, len), v;
    uint32_t tag;
    int rc;
    while ((rc = rec_next(&r, &tag, &v)) > 0) {
        const struct record_section *sec = NULL;
        for (size_t i = 0; i < record_section_count() && !sec; i++)
            if (sections[i].tag == tag)
                sec = &sections[i];
        if (!sec)
            continue;      /* a section from a newer minor version */
        char inner[160] = "";
        if (sec->decode(v, s, inner, sizeof(inner)) < 0) {
            snprintf(why, whylen, "%s: %s", sec->name, inner[0] ? inner : "malformed");
            snapshot_free(s);
            return NULL;
        }
    }
    if (rc < 0) {
        record_fail(why, whylen, "malformed section framing");
        snapshot_free(s);
        return NULL;
    }
    return s;
}
