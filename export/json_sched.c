/* json_sched: the "sched" section of a snapshot's JSON (part of the documented output contract). */
#include "export/json_sched.h"

#include <math.h>

#include "export/json_util.h"
#include "model/go_maxprocs.h"
#include "model/placement.h"
#include "model/rates.h"

static json_object *p_json(const struct snapshot *prev, const struct snapshot *cur, size_t i)
{
    const struct p_sample *p = &cur->sched.ps[i];
    double sched_ps, sys_ps;
    int cpu, node;
    rates_p(prev, cur, i, &sched_ps, &sys_ps);
    placement_p(cur, i, &cpu, &node);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_int(p->id));
    json_object_object_add(o, "status", json_object_new_string(rates_p_status_name(p->status)));
    json_object_object_add(o, "runq", json_object_new_int64(p->runq));
    json_object_object_add(o, "runq_max", json_object_new_int64(p->runq_max));
    json_object_object_add(o, "runq_mean", json_number(p->runq_mean, 2));
    json_object_object_add(o, "runnext", json_object_new_boolean(p->runnext));
    json_object_object_add(o, "schedtick_per_s", json_number(sched_ps, 1));
    json_object_object_add(o, "syscalltick_per_s", json_number(sys_ps, 1));
    json_object_object_add(o, "m_id", json_int_or_null(p->m_id));
    json_object_object_add(o, "m_tid", p->m_tid > 0 ? json_object_new_int(p->m_tid) : NULL);
    json_object_object_add(o, "cpu", json_int_or_null(cpu));
    json_object_object_add(o, "node", json_int_or_null(node));
    json_object_object_add(o, "curg", json_int_or_null(p->curg_goid));
    json_object_object_add(o, "g_in_syscall", json_object_new_boolean(p->g_in_syscall));
    json_object_object_add(o, "m_from_oldp", json_object_new_boolean(p->m_from_oldp));
    return o;
}

static json_object *goroutines_json(const struct sched_sample *s)
{
    if (!s->census_valid)
        return NULL;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "total", json_object_new_int64(s->g_total));
    json_object_object_add(o, "system", json_int_or_null(s->g_system));
    json_object_object_add(o, "sampled", json_object_new_boolean(s->census_sampled));
    json_object *by = json_object_new_object();
    for (int c = 0; c < GO_G_CLASS_COUNT; c++)
        json_object_object_add(by, go_g_class_name((enum go_g_class)c), json_object_new_int64(s->g_by_class[c]));
    json_object_object_add(o, "by_status", by);
    json_object *reasons = json_object_new_object();
    for (size_t i = 0; i < s->nreasons; i++)
        json_object_object_add(reasons, s->by_reason[i].name,
                               json_object_new_int64(s->by_reason[i].count));
    json_object_object_add(o, "by_reason", reasons);
    return o;
}

/* Go 1.25+'s container-aware GOMAXPROCS as the target's runtime has it: null when
 * unknown or before 1.25 (no such policy). */
static json_object *json_maxprocs_policy(int32_t pol)
{
    if (!(pol & GO_MAXPROCS_KNOWN) ||
        !(pol & (GO_MAXPROCS_CONTAINER | GO_MAXPROCS_OFF_BY_ENV | GO_MAXPROCS_OFF_BY_BUILD)))
        return NULL;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "containermaxprocs",
                           json_object_new_boolean(pol & GO_MAXPROCS_CONTAINER));
    json_object_object_add(o, "updatemaxprocs", json_object_new_boolean(pol & GO_MAXPROCS_UPDATE));
    const char *off = pol & GO_MAXPROCS_OFF_BY_ENV ? "env"
                      : pol & GO_MAXPROCS_OFF_BY_BUILD ? "build" : NULL;
    json_object_object_add(o, "off_by", off ? json_object_new_string(off) : NULL);
    json_object_object_add(o, "cgroup_file_open",
                           json_object_new_boolean(pol & GO_MAXPROCS_CGROUP_OPEN));
    return o;
}

json_object *json_sched(const struct snapshot *prev, const struct snapshot *cur)
{
    const struct sched_sample *s = &cur->sched;
    if (!s->valid)
        return NULL;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "gomaxprocs", json_object_new_int(s->gomaxprocs));
    const char *src = gomaxprocs_source_name(s->gomaxprocs_source);
    json_object_object_add(o, "gomaxprocs_source", src ? json_object_new_string(src) : NULL);
    /* What the runtime's own rule picks for it (model/go_maxprocs.h); null when unknown. */
    json_object_object_add(o, "gomaxprocs_default", s->gomaxprocs_auto > 0
                           ? json_object_new_int(s->gomaxprocs_auto) : NULL);
    json_object_object_add(o, "gomaxprocs_policy", json_maxprocs_policy(s->gomaxprocs_policy));
    json_object_object_add(o, "goroutines_created_per_s",
                           json_number(rates_goroutines_created(prev, cur), 1));
    json_object_object_add(o, "runq_global", json_object_new_int64(s->runq_global));
    json_object_object_add(o, "idle_p", json_object_new_int(s->idle_p));
    json_object_object_add(o, "spinning_m", json_object_new_int(s->spinning_m));
    json_object_object_add(o, "needspinning", json_int_or_null(s->needspinning));
    json_object_object_add(o, "threads", json_object_new_int64(s->threads));
    json_object_object_add(o, "idle_threads", json_object_new_int(s->idle_threads));
    json_object_object_add(o, "gc_cycles", json_int_or_null(s->gc_cycles));
    json_object_object_add(o, "gc_last_pause_ns", json_int_or_null(s->gc_last_pause_ns));
    json_object_object_add(o, "goroutines", goroutines_json(s));
    json_object_object_add(o, "cpu_quota", json_number(s->cpu_quota, 2));
    double dt = rates_interval_s(prev, cur), thr_ms = NAN, thr_per_s = NAN;
    if (dt > 0 && prev->sched.throttled_ns >= 0 && s->throttled_ns >= prev->sched.throttled_ns)
        thr_ms = (double)(s->throttled_ns - prev->sched.throttled_ns) / 1e6 / dt;
    if (dt > 0 && prev->sched.nr_throttled >= 0 && s->nr_throttled >= prev->sched.nr_throttled)
        thr_per_s = (double)(s->nr_throttled - prev->sched.nr_throttled) / dt;
    /* Summed over the group's CPU runqueues by the kernel: can exceed 1000 ms/s. */
    json_object_object_add(o, "throttled_ms_per_s", json_number(thr_ms, 1));
    json_object_object_add(o, "throttled_per_s", json_number(thr_per_s, 2));
    json_object_object_add(o, "cpus_allowed", json_int_or_null(s->cpus_allowed));
    json_object_object_add(o, "cpus_online", json_int_or_null(s->cpus_online));
    json_object_object_add(o, "dropped_samples", json_object_new_int64((int64_t)s->dropped));
    json_object *ps = json_object_new_array();
    for (size_t i = 0; i < s->nps; i++)
        json_object_array_add(ps, p_json(prev, cur, i));
    json_object_object_add(o, "ps", ps);
    return o;
}

static json_object *le_json(uint64_t le)
{
    return le == GO_TIMEHIST_INF ? NULL : json_object_new_int64((int64_t)le);
}

static json_object *buckets_json(const struct go_timehist_bucket *b, size_t n)
{
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        if (!b[i].count)
            continue;
        json_object *o = json_object_new_object();
        json_object_object_add(o, "le_ns", le_json(b[i].le_ns));
        json_object_object_add(o, "count", json_object_new_int64((int64_t)b[i].count));
        json_object_array_add(arr, o);
    }
    return arr;
}

/* Quantiles of an empty interval are unknown, not 0 ns. */
static json_object *quantile_json(const struct go_timehist_interval *iv, uint64_t q)
{
    return iv->total ? le_json(q) : NULL;
}

json_object *json_timehist(const struct timehist_sample *prev,
                           const struct timehist_sample *cur, const char *source)
{
    if (!cur->valid)
        return NULL;
    static struct go_timehist_interval iv;   /* 12 KB: kept off the stack */
    char why[160];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "source", json_object_new_string(source));
    bool have_prev = prev && prev->valid &&
                     prev->layout.ncounts == cur->layout.ncounts &&
                     go_timehist_interval(&cur->layout, prev->raw, cur->raw, &iv, why,
                                          sizeof(why)) == 0;
    if (have_prev) {
        json_object_object_add(o, "total", json_object_new_int64((int64_t)iv.total));
        json_object_object_add(o, "buckets", buckets_json(iv.raw, iv.nraw));
        json_object_object_add(o, "p50_ns", quantile_json(&iv, iv.p50_ns));
        json_object_object_add(o, "p90_ns", quantile_json(&iv, iv.p90_ns));
        json_object_object_add(o, "p99_ns", quantile_json(&iv, iv.p99_ns));
        json_object_object_add(o, "max_ns", quantile_json(&iv, iv.max_ns));
    } else {
        json_object_object_add(o, "total", NULL);
        json_object_object_add(o, "buckets", NULL);
        json_object_object_add(o, "p50_ns", NULL);
        json_object_object_add(o, "p90_ns", NULL);
        json_object_object_add(o, "p99_ns", NULL);
        json_object_object_add(o, "max_ns", NULL);
    }
    if (go_timehist_interval(&cur->layout, NULL, cur->raw, &iv, why, sizeof(why)) == 0) {
        json_object *all = json_object_new_object();
        json_object_object_add(all, "total", json_object_new_int64((int64_t)iv.total));
        json_object_object_add(all, "buckets", buckets_json(iv.raw, iv.nraw));
        json_object_object_add(o, "since_start", all);
    }
    return o;
}
