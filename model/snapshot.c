/* snapshot: one tick of everything gmptop knows about the target, as plain data. */
#include "model/snapshot.h"

#include <stdlib.h>
#include <string.h>
#include "base/util.h"
#include "model/gstack.h"

struct snapshot *snapshot_new(void)
{
    struct snapshot *s = calloc(1, sizeof(*s));
    if (s)
        s->meta.schema = SNAPSHOT_SCHEMA;
    if (s)
        s->meta.uptime_s = -1.0;
    return s;
}

const char *snapshot_intern(const char *s)
{
    const char *p = gstack_str(s ? s : "");
    return p ? p : "?";
}

static const char empty_reason[] = "";

static void status_reason_free(struct collector_status *st)
{
    if (st->reason && st->reason != empty_reason)
        free((char *)st->reason);
    st->reason = empty_reason;
}

void snapshot_clear_status(struct snapshot *s)
{
    for (size_t i = 0; i < s->nstatus; i++)
        status_reason_free(&s->status[i]);
    s->nstatus = 0;
}

void snapshot_free(struct snapshot *s)
{
    if (!s)
        return;
    snapshot_clear_status(s);
    free(s->threads);
    free(s->cpus);
    free(s->sched.ps);
    free(s->sched_latency.raw);
    free(s->gc_pauses.raw);
    park_sample_free(&s->park);
    cores_sample_free(&s->cores);
    numa_sample_free(&s->numa);
    diag_sample_free(&s->diag);
    goroutines_sample_free(&s->goroutines);
    cpuprof_sample_free(s->cpuprof);
    free(s);
}

void cpuprof_sample_free(struct cpuprof_sample *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nhot && i < CPUPROF_HOT_MAX; i++)
        gstack_release(c->hot[i].stack);
    free(c);
}

void snapshot_shed_detail(struct snapshot *s)
{
    if (!s || !(s->cpuprof || s->park.reasons || s->diag.rules || s->diag.findings))
        return;
    cpuprof_sample_free(s->cpuprof);
    s->cpuprof = NULL;
    park_sample_free(&s->park);         /* the wait reasons' histograms; the wake one stays */
    diag_sample_free(&s->diag);
    s->diag.rules = NULL;
    s->diag.nrules = 0;
    s->diag.findings = NULL;
    s->diag.nfindings = 0;
    s->detail_shed = true;
}

/* Doubling growth shared by the array appenders; capacity is kept implicitly as the
 * next power of two at or above the count, so the snapshot needs no extra fields. */
static void *grow_append(void *arr, size_t *count, size_t elem)
{
    size_t n = *count;
    bool need = n == 0 || (n & (n - 1)) == 0; /* at a power of two: full */
    if (need) {
        size_t cap = n ? n * 2 : 8;
        if (n && n < 8)
            cap = 8;
        void *p = realloc(arr, cap * elem);
        if (!p)
            return NULL;
        arr = p;
    }
    memset((char *)arr + n * elem, 0, elem);
    (*count)++;
    return arr;
}

struct thread_sample *snapshot_add_thread(struct snapshot *s)
{
    void *p = grow_append(s->threads, &s->nthreads, sizeof(*s->threads));
    if (!p)
        return NULL;
    s->threads = p;
    return &s->threads[s->nthreads - 1];
}

struct cpu_sample *snapshot_add_cpu(struct snapshot *s)
{
    void *p = grow_append(s->cpus, &s->ncpus, sizeof(*s->cpus));
    if (!p)
        return NULL;
    s->cpus = p;
    struct cpu_sample *c = &s->cpus[s->ncpus - 1];
    c->node = -1;
    return c;
}

void snapshot_set_status(struct snapshot *s, const char *name, bool available,
                         const char *reason)
{
    struct collector_status *st = NULL;
    for (size_t i = 0; i < s->nstatus; i++)
        if (strcmp(s->status[i].name, name) == 0)
            st = &s->status[i];
    if (!st) {
        if (s->nstatus >= SNAPSHOT_MAX_COLLECTORS)
            return;
        st = &s->status[s->nstatus++];
    }
    util_strlcpy(st->name, name, sizeof(st->name));
    st->available = available;
    char *r = reason && reason[0] ? strndup(reason, SNAPSHOT_REASON_LEN - 1) : NULL;
    status_reason_free(st);
    if (r)
        st->reason = r;        /* out of memory: "" rather than a stale reason */
}

const struct collector_status *snapshot_status(const struct snapshot *s, const char *name)
{
    for (size_t i = 0; i < s->nstatus; i++)
        if (strcmp(s->status[i].name, name) == 0)
            return &s->status[i];
    return NULL;
}

static int thread_cmp_tid(const void *a, const void *b)
{
    pid_t x = ((const struct thread_sample *)a)->tid;
    pid_t y = ((const struct thread_sample *)b)->tid;
    return (x > y) - (x < y);
}

void snapshot_sort_threads(struct snapshot *s)
{
    if (s->nthreads > 1)
        qsort(s->threads, s->nthreads, sizeof(*s->threads), thread_cmp_tid);
}

const struct thread_sample *snapshot_find_thread(const struct snapshot *s, pid_t tid)
{
    struct thread_sample key = { .tid = tid };
    if (!s->threads)
        return NULL;
    return bsearch(&key, s->threads, s->nthreads, sizeof(*s->threads), thread_cmp_tid);
}

const struct cpu_sample *snapshot_find_cpu(const struct snapshot *s, int cpu)
{
    if (cpu >= 0 && (size_t)cpu < s->ncpus && s->cpus[cpu].cpu == cpu)
        return &s->cpus[cpu];
    for (size_t i = 0; i < s->ncpus; i++)
        if (s->cpus[i].cpu == cpu)
            return &s->cpus[i];
    return NULL;
}

const char *diag_severity_name(enum diag_severity s)
{
    switch (s) {
    case DIAG_INFO: return "info";
    case DIAG_WARN: return "warn";
    case DIAG_CRIT: return "crit";
    default: return "none";
    }
}

const char *go_g_class_name(enum go_g_class c)
{
    static const char *const names[GO_G_CLASS_COUNT] = {
        [GO_G_IDLE] = "idle", [GO_G_RUNNABLE] = "runnable", [GO_G_RUNNING] = "running",
        [GO_G_SYSCALL] = "syscall", [GO_G_WAITING] = "waiting",
        [GO_G_PREEMPTED] = "preempted", [GO_G_COPYSTACK] = "copystack",
        [GO_G_LEAKED] = "leaked",
    };
    return (unsigned)c < GO_G_CLASS_COUNT ? names[c] : "?";
}

const char *gomaxprocs_source_name(int32_t src)
{
    switch (src) {
    case GOMAXPROCS_SRC_ENV: return "env";
    case GOMAXPROCS_SRC_PROGRAM: return "program";
    case GOMAXPROCS_SRC_RUNTIME: return "runtime";
    default: return NULL;
    }
}
