/* json_cores: the "cores" section of a snapshot's JSON: one object per online CPU (a
 * documented contract), figures derived from two snapshots, null where they cannot be measured. */
#include "export/json_sections.h"

#include <stdlib.h>

#include "model/cores_metrics.h"
#include "export/json_util.h"

static json_object *cpu_json(const struct cores_cpu *c, const struct cores_metrics *m)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "cpu", json_object_new_int(c->cpu));
    json_object_object_add(o, "node", json_int_or_null(c->node));
    json_object_object_add(o, "l3_domain", json_int_or_null(c->l3_domain));
    json_object_object_add(o, "available", json_object_new_boolean(m->available));
    json_object_object_add(o, "why", m->why[0] ? json_object_new_string(m->why) : NULL);
    json_object_object_add(o, "util_pct", json_number(m->util_pct, 1));
    json_object_object_add(o, "ipc", json_number(m->ipc, 3));
    json_object_object_add(o, "l3_miss_ratio", json_number(m->l3_miss_ratio, 4));
    json_object_object_add(o, "l3_mpki", json_number(m->l3_mpki, 3));
    json_object_object_add(o, "dtlb_mpki", json_number(m->dtlb_mpki, 3));
    json_object_object_add(o, "dtlb_per_cycle", json_number(m->dtlb_per_cycle, 7));
    json_object_object_add(o, "ctx_switches_per_s", json_number(m->ctx_switches_per_s, 1));
    json_object_object_add(o, "migrations_per_s", json_number(m->migrations_per_s, 1));
    json_object_object_add(o, "multiplexed", json_object_new_boolean(m->multiplexed));
    return o;
}

json_object *json_cores(const struct snapshot *prev, const struct snapshot *cur)
{
    const struct cores_sample *s = &cur->cores;
    if (!s->valid)
        return NULL;
    json_object *arr = json_object_new_array();
    if (s->ncpus == 0)
        return arr;
    struct cores_metrics *m = calloc(s->ncpus, sizeof(*m));
    if (!m)
        return arr;
    cores_metrics_cpus(prev, cur, m);
    for (size_t i = 0; i < s->ncpus; i++)
        json_object_array_add(arr, cpu_json(&s->cpus[i], &m[i]));
    free(m);
    return arr;
}
