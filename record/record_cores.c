/* record_cores: recording codec for the cores section (raw perf counter readings per CPU
 * and per thread, with enabled/running times and errors). */
#include "record/record_codec.h"

#include <stdlib.h>
#include <string.h>

/* Every field must be in a table below (a new field gets a new tag): this stops the
 * build when the struct changes until the codec does (sizes as on x86-64). */
#if defined(__x86_64__)
_Static_assert(sizeof(struct cores_sample) == 824 && sizeof(struct cores_cpu) == 280 && sizeof(struct cores_thread) == 264 && sizeof(struct cores_count) == 32,
               "the cores structs changed: update record_cores.c");
#endif

#define TAG_CPUS 30
#define TAG_THREADS 31
/* Inside a CPU or thread element: its counters as four parallel arrays. */
#define TAG_C_VALUE 20
#define TAG_C_ENABLED 21
#define TAG_C_RUNNING 22
#define TAG_C_ERR 23

static const struct rec_field cores_fields[] = {
    REC_FIELD(1, RF_BOOL, struct cores_sample, valid),
    REC_FIELD(2, RF_STR, struct cores_sample, pmu),
    REC_FIELD(3, RF_STR, struct cores_sample, headline),
    REC_FIELD(4, RF_INT, struct cores_sample, headline_ev),
    REC_FIELD(5, RF_INT, struct cores_sample, headline_err),
    REC_FIELD(6, RF_INT, struct cores_sample, paranoid),
    REC_FIELD(7, RF_BOOL, struct cores_sample, l3_per_domain),
    REC_FIELD(8, RF_INT, struct cores_sample, fd_limit),
    REC_FIELD(9, RF_INT, struct cores_sample, fds),
    REC_FIELD(10, RF_INT, struct cores_sample, read_ns),
    REC_FIELD(11, RF_BOOL, struct cores_sample, per_thread),
    REC_FIELD(12, RF_STR, struct cores_sample, thread_note),
};

static const struct rec_field cpu_fields[] = {
    REC_FIELD(1, RF_INT, struct cores_cpu, cpu),
    REC_FIELD(2, RF_INT, struct cores_cpu, node),
    REC_FIELD(3, RF_INT, struct cores_cpu, l3_domain),
    REC_FIELD(4, RF_INT, struct cores_cpu, l3_reader),
    REC_FIELD(5, RF_UINT, struct cores_cpu, gen),
};

static const struct rec_field thread_fields[] = {
    REC_FIELD(1, RF_INT, struct cores_thread, tid),
    REC_FIELD(2, RF_UINT, struct cores_thread, gen),
};

static void put_counts(struct rec_buf *b, const struct cores_count *c)
{
    uint64_t v[CORES_EV_COUNT], en[CORES_EV_COUNT], run[CORES_EV_COUNT];
    int64_t err[CORES_EV_COUNT];
    for (int i = 0; i < CORES_EV_COUNT; i++) {
        v[i] = c[i].value;
        en[i] = c[i].enabled;
        run[i] = c[i].running;
        err[i] = c[i].err;
    }
    rec_put_u64s(b, TAG_C_VALUE, v, CORES_EV_COUNT);
    rec_put_u64s(b, TAG_C_ENABLED, en, CORES_EV_COUNT);
    rec_put_u64s(b, TAG_C_RUNNING, run, CORES_EV_COUNT);
    rec_put_i64s(b, TAG_C_ERR, err, CORES_EV_COUNT);
}

/* 1 used, 0 not a counter item, -1 malformed. */
static int get_counts(uint32_t tag, const struct rec_reader *v, struct cores_count *c)
{
    uint64_t u[CORES_EV_COUNT];
    int64_t e[CORES_EV_COUNT];
    if (tag == TAG_C_ERR) {
        if (rec_get_i64s(v, e, CORES_EV_COUNT) < 0)
            return -1;
        for (int i = 0; i < CORES_EV_COUNT; i++) {
            if (e[i] < INT16_MIN || e[i] > INT16_MAX)
                return -1;
            c[i].err = (int16_t)e[i];
        }
        return 1;
    }
    if (tag != TAG_C_VALUE && tag != TAG_C_ENABLED && tag != TAG_C_RUNNING)
        return 0;
    if (rec_get_u64s(v, u, CORES_EV_COUNT) < 0)
        return -1;
    for (int i = 0; i < CORES_EV_COUNT; i++) {
        if (tag == TAG_C_VALUE)
            c[i].value = u[i];
        else if (tag == TAG_C_ENABLED)
            c[i].enabled = u[i];
        else
            c[i].running = u[i];
    }
    return 1;
}

void record_cores_encode(struct rec_buf *b, const struct snapshot *s)
{
    const struct cores_sample *cs = &s->cores;
    rec_put_fields(b, cores_fields, REC_NFIELDS(cores_fields), cs);
    size_t m = rec_begin(b, TAG_CPUS);
    for (size_t i = 0; cs->cpus && i < cs->ncpus; i++) {
        size_t e = rec_begin(b, REC_ELEM);
        rec_put_fields(b, cpu_fields, REC_NFIELDS(cpu_fields), &cs->cpus[i]);
        put_counts(b, cs->cpus[i].c);
        rec_end(b, e);
    }
    rec_end(b, m);
    m = rec_begin(b, TAG_THREADS);
    for (size_t i = 0; cs->threads && i < cs->nthreads; i++) {
        size_t e = rec_begin(b, REC_ELEM);
        rec_put_fields(b, thread_fields, REC_NFIELDS(thread_fields), &cs->threads[i]);
        put_counts(b, cs->threads[i].c);
        rec_end(b, e);
    }
    rec_end(b, m);
}

/* One array of CPU or thread rows; each row's counters sit at counts_off in it. */
static int get_rows(struct rec_reader r, void **arr, size_t *n, size_t elem,
                    const struct rec_field *f, size_t nf, size_t counts_off)
{
    long cnt = record_count_elems(r, REC_MAX_ELEMS);
    if (cnt < 0)
        return -1;
    free(*arr);
    *arr = NULL;
    *n = 0;
    if (cnt == 0)
        return 0;
    char *out = calloc((size_t)cnt, elem);
    if (!out)
        return -1;
    uint32_t tag, t2;
    struct rec_reader v, fv;
    size_t i = 0;
    while (rec_next(&r, &tag, &v) > 0) {
        if (tag != REC_ELEM)
            continue;
        char *row = out + i * elem;
        int rc;
        while ((rc = rec_next(&v, &t2, &fv)) > 0) {
            int used = get_counts(t2, &fv, (struct cores_count *)(row + counts_off));
            if (used == 0)
                used = rec_get_field(f, nf, t2, &fv, row);
            if (used < 0)
                break;
        }
        if (rc != 0) {
            free(out);
            return -1;
        }
        i++;
    }
    *arr = out;
    *n = i;
    return 0;
}

int record_cores_decode(struct rec_reader r, struct snapshot *s, char *why, size_t len)
{
    struct cores_sample *cs = &s->cores;
    uint32_t tag;
    struct rec_reader v;
    int rc;
    while ((rc = rec_next(&r, &tag, &v)) > 0) {
        if (tag == TAG_CPUS) {
            void *arr = cs->cpus;
            int rc2 = get_rows(v, &arr, &cs->ncpus, sizeof(*cs->cpus), cpu_fields,
                               REC_NFIELDS(cpu_fields), offsetof(struct cores_cpu, c));
            cs->cpus = arr;
            if (rc2 < 0)
                return record_fail(why, len, "malformed CPU row");
        } else if (tag == TAG_THREADS) {
            void *arr = cs->threads;
            int rc2 = get_rows(v, &arr, &cs->nthreads, sizeof(*cs->threads), thread_fields,
                               REC_NFIELDS(thread_fields), offsetof(struct cores_thread, c));
            cs->threads = arr;
            if (rc2 < 0)
                return record_fail(why, len, "malformed thread row");
        } else if (rec_get_field(cores_fields, REC_NFIELDS(cores_fields), tag, &v, cs) < 0) {
            return record_fail(why, len, "malformed field");
        }
    }
    return rc < 0 ? record_fail(why, len, "malformed framing") : 0;
}
