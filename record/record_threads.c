/* record_threads: recording codecs for the snapshot's threads[] and cpus[] sections. */
#include "record/record_codec.h"

/* Every field must be in a table below (a new field gets a new tag): this stops the
 * build when the struct changes until the codec does (sizes as on x86-64). */
#if defined(__x86_64__)
_Static_assert(sizeof(struct thread_sample) == 144 && sizeof(struct cpu_sample) == 32,
               "struct thread_sample or cpu_sample changed: update record_threads.c");
#endif


static const struct rec_field thread_fields[] = {
    REC_FIELD(1, RF_INT, struct thread_sample, tid),
    REC_FIELD(2, RF_STR, struct thread_sample, name),
    REC_FIELD(3, RF_INT, struct thread_sample, state),
    REC_FIELD(4, RF_INT, struct thread_sample, cpu),
    REC_FIELD(5, RF_UINT, struct thread_sample, cpu_time_ns),
    REC_FIELD(6, RF_UINT, struct thread_sample, nvcsw),
    REC_FIELD(7, RF_UINT, struct thread_sample, nivcsw),
    REC_FIELD(8, RF_UINT, struct thread_sample, migrations),
    REC_FIELD(9, RF_UINT, struct thread_sample, run_delay_ns),
    REC_FIELD(10, RF_STR, struct thread_sample, affinity),
    REC_FIELD(11, RF_UINT, struct thread_sample, have),
};

static const struct rec_field cpu_fields[] = {
    REC_FIELD(1, RF_INT, struct cpu_sample, cpu),
    REC_FIELD(2, RF_INT, struct cpu_sample, node),
    REC_FIELD(3, RF_UINT, struct cpu_sample, busy),
    REC_FIELD(4, RF_UINT, struct cpu_sample, total),
    REC_FIELD(5, RF_BOOL, struct cpu_sample, online),
};

void record_threads_encode(struct rec_buf *b, const struct snapshot *s)
{
    record_put_array(b, s->threads, s->nthreads, sizeof(*s->threads), thread_fields,
              REC_NFIELDS(thread_fields));
}

int record_threads_decode(struct rec_reader r, struct snapshot *s, char *why, size_t len)
{
    void *arr = s->threads;
    int rc = record_get_array(r, &arr, &s->nthreads, sizeof(*s->threads), thread_fields,
                       REC_NFIELDS(thread_fields), NULL, why, len);
    s->threads = arr;
    return rc;
}

static void cpu_init(void *e)
{
    ((struct cpu_sample *)e)->node = -1;
}

void record_cpus_encode(struct rec_buf *b, const struct snapshot *s)
{
    record_put_array(b, s->cpus, s->ncpus, sizeof(*s->cpus), cpu_fields, REC_NFIELDS(cpu_fields));
}

int record_cpus_decode(struct rec_reader r, struct snapshot *s, char *why, size_t len)
{
    void *arr = s->cpus;
    int rc = record_get_array(r, &arr, &s->ncpus, sizeof(*s->cpus), cpu_fields,
                       REC_NFIELDS(cpu_fields), cpu_init, why, len);
    s->cpus = arr;
    return rc;
}
