/* record_codec: one snapshot <-> the bytes of one recording frame (before compression),
 * section by section through a table of small codecs (record/record_*.c). */
#ifndef GMPTOP_RECORD_CODEC_H
#define GMPTOP_RECORD_CODEC_H

#include <stddef.h>
#include "record/rec_tlv.h"
#include "record/record_array.h"
#include "model/snapshot.h"

/* Top-level tags of a frame's payload, one per snapshot section. Never reuse a number:
 * a reader skips tags it does not know. */
enum record_section_tag {
    REC_SEC_META = 1,
    REC_SEC_THREADS = 2,
    REC_SEC_CPUS = 3,
    REC_SEC_SCHED = 4,
    REC_SEC_SCHED_LATENCY = 5,
    REC_SEC_GC_PAUSES = 6,
    REC_SEC_DIAG = 7,
    REC_SEC_STATUS = 8,
    REC_SEC_PARK = 9,
    REC_SEC_CORES = 10,
    REC_SEC_NUMA = 11,
    REC_SEC_GOROUTINES = 12,
    REC_SEC_CPUPROF = 13,
};

/* One section's codec: encode writes the section's items (tag and framing are done by
 * the caller); decode reads them into s, which starts as snapshot_new() left it.
 * decode returns 0, or -1 with why filled. */
struct record_section {
    uint32_t tag;
    const char *name;
    void (*encode)(struct rec_buf *b, const struct snapshot *s);
    int (*decode)(struct rec_reader r, struct snapshot *s, char *why, size_t len);
};

/* The codec table (record_codec.c). */
size_t record_section_count(void);
const struct record_section *record_section_at(size_t i);

/* Encode every section of s into b (reset first). Returns 0, or -ENOMEM. */
int record_encode(struct rec_buf *b, const struct snapshot *s);
/* Decode a payload into a new snapshot. Unknown sections and fields are skipped.
 * Returns the snapshot, or NULL with why ("threads: malformed item", "out of memory"). */
struct snapshot *record_decode(const void *p, size_t len, char *why, size_t whylen);

/* ---- section codecs (one file each) ------------------------------------------------- */
void record_meta_encode(struct rec_buf *b, const struct snapshot *s);
int record_meta_decode(struct rec_reader r, struct snapshot *s, char *why, size_t len);
void record_status_encode(struct rec_buf *b, const struct snapshot *s);
int record_status_decode(struct rec_reader r, struct snapshot *s, char *why, size_t len);
void record_threads_encode(struct rec_buf *b, const struct snapshot *s);
int record_threads_decode(struct rec_reader r, struct snapshot *s, char *why, size_t len);
void record_cpus_encode(struct rec_buf *b, const struct snapshot *s);
int record_cpus_decode(struct rec_reader r, struct snapshot *s, char *why, size_t len);
void record_sched_encode(struct rec_buf *b, const struct snapshot *s);
int record_sched_decode(struct rec_reader r, struct snapshot *s, char *why, size_t len);
void record_sched_latency_encode(struct rec_buf *b, const struct snapshot *s);
int record_sched_latency_decode(struct rec_reader r, struct snapshot *s, char *why,
                                size_t len);
void record_gc_pauses_encode(struct rec_buf *b, const struct snapshot *s);
int record_gc_pauses_decode(struct rec_reader r, struct snapshot *s, char *why, size_t len);
void record_diag_encode(struct rec_buf *b, const struct snapshot *s);
int record_diag_decode(struct rec_reader r, struct snapshot *s, char *why, size_t len);
void record_park_encode(struct rec_buf *b, const struct snapshot *s);
int record_park_decode(struct rec_reader r, struct snapshot *s, char *why, size_t len);
void record_cores_encode(struct rec_buf *b, const struct snapshot *s);
int record_cores_decode(struct rec_reader r, struct snapshot *s, char *why, size_t len);
void record_numa_encode(struct rec_buf *b, const struct snapshot *s);
int record_numa_decode(struct rec_reader r, struct snapshot *s, char *why, size_t len);
void record_goroutines_encode(struct rec_buf *b, const struct snapshot *s);
int record_goroutines_decode(struct rec_reader r, struct snapshot *s, char *why, size_t len);
void record_cpuprof_encode(struct rec_buf *b, const struct snapshot *s);
int record_cpuprof_decode(struct rec_reader r, struct snapshot *s, char *why, size_t len);

#endif
