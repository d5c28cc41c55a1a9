/* json_cpuprof: the cpu_profile key of a snapshot's JSON (README: contract). */
#include "export/json_sections.h"

#include <math.h>

#include "export/json_util.h"

static json_object *pct(int64_t part, int64_t whole)
{
    return whole > 0 ? json_number(100.0 * (double)part / (double)whole, 2) : NULL;
}

static json_object *funcs_array(const struct cpuprof_func *f, size_t n, int64_t samples)
{
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "func", json_object_new_string(f[i].func));
        json_object_object_add(o, "file", f[i].file[0] ? json_object_new_string(f[i].file)
                                                       : NULL);
        json_object_object_add(o, "kind", json_object_new_string(cpuprof_kind_name(f[i].kind)));
        json_object_object_add(o, "self", json_object_new_int64(f[i].self));
        json_object_object_add(o, "total", json_object_new_int64(f[i].total));
        json_object_object_add(o, "self_pct", pct(f[i].self, samples));
        json_object_object_add(o, "total_pct", pct(f[i].total, samples));
        json_object_array_add(arr, o);
    }
    return arr;
}

static json_object *kinds_object(const int64_t *by_kind, int64_t samples)
{
    json_object *o = json_object_new_object();
    for (int k = 0; k < CPUPROF_KIND_COUNT; k++)
        json_object_object_add(o, cpuprof_kind_name(k), pct(by_kind[k], samples));
    return o;
}

static json_object *frames_array(const struct gstack *st)
{
    json_object *arr = json_object_new_array();
    for (size_t i = 0; st && i < st->nframes; i++) {
        const struct gframe *f = &st->frames[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "func", json_object_new_string(f->func));
        json_object_object_add(o, "file", f->file[0] ? json_object_new_string(f->file) : NULL);
        json_object_object_add(o, "line", f->line > 0 ? json_object_new_int(f->line) : NULL);
        json_object_object_add(o, "inlined", json_object_new_boolean(f->inlined));
        json_object_array_add(arr, o);
    }
    return arr;
}

json_object *json_cpuprof(const struct snapshot *cur)
{
    const struct cpuprof_sample *c = cur->cpuprof;
    if (!c || !c->valid)
        return NULL;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "hz", json_number(c->hz, 1));
    json_object_object_add(o, "samples", json_object_new_int64(c->samples));
    json_object_object_add(o, "interval_s", json_number(c->interval_s, 3));
    json_object_object_add(o, "threads", json_object_new_int(c->threads));
    json_object_object_add(o, "events",
                           c->events[0] ? json_object_new_string(c->events) : NULL);
    json_object_object_add(o, "cost_pct", json_number(c->cost_pct, 3));
    json_object_object_add(o, "budget_pct", json_number(c->budget_pct, 1));
    json_object_object_add(o, "sample_cost_us", json_number(c->sample_cost_us, 2));
    json_object_object_add(o, "kernel_pct", pct(c->kernel, c->samples));
    json_object_object_add(o, "unattributed", json_object_new_int64(c->unattributed));
    json_object_object_add(o, "lost_total", json_object_new_int64((int64_t)c->lost_total));
    json_object_object_add(o, "kinds", kinds_object(c->by_kind, c->samples));
    json_object_object_add(o, "top", funcs_array(c->top, c->ntop, c->samples));
    json_object *m = json_object_new_object();
    json_object_object_add(m, "seconds", json_number(c->minute_s, 1));
    json_object_object_add(m, "samples", json_object_new_int64(c->minute_samples));
    json_object_object_add(m, "top", funcs_array(c->minute, c->nminute, c->minute_samples));
    json_object *hot = json_object_new_array();
    for (size_t i = 0; i < c->nhot; i++) {
        json_object *h = json_object_new_object();
        json_object_object_add(h, "samples", json_object_new_int64(c->hot[i].samples));
        json_object_object_add(h, "pct", pct(c->hot[i].samples, c->minute_samples));
        json_object_object_add(h, "frames", frames_array(c->hot[i].stack));
        json_object_array_add(hot, h);
    }
    json_object_object_add(m, "hot_stacks", hot);
    json_object_object_add(o, "minute", m);
    json_object *gs = json_object_new_array();
    for (size_t i = 0; i < c->ngs; i++) {
        const struct cpuprof_g *g = &c->gs[i];
        json_object *x = json_object_new_object();
        json_object_object_add(x, "goid", g->goid >= 0 ? json_object_new_int64(g->goid) : NULL);
        json_object_object_add(x, "system_stack", json_object_new_boolean(g->goid == -1));
        json_object_object_add(x, "start_func", g->start_func && g->start_func[0]
                                                    ? json_object_new_string(g->start_func)
                                                    : NULL);
        json_object_object_add(x, "where", g->where && g->where[0]
                                               ? json_object_new_string(g->where) : NULL);
        json_object_object_add(x, "thread", json_object_new_int(g->tid));
        json_object_object_add(x, "cpu", json_object_new_int(g->cpu));
        json_object_object_add(x, "p", g->p >= 0 ? json_object_new_int(g->p) : NULL);
        json_object_object_add(x, "samples", json_object_new_int64(g->samples));
        json_object_object_add(x, "pct", pct(g->samples, c->samples));
        json_object_array_add(gs, x);
    }
    json_object_object_add(o, "goroutines", gs);
    json_object_object_add(o, "note", c->note[0] ? json_object_new_string(c->note) : NULL);
    json_object_object_add(o, "export", c->export_msg[0] ? json_object_new_string(c->export_msg)
                                                         : NULL);
    return o;
}
