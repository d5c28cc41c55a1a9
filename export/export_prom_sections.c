/* export_prom_sections: Prometheus metrics of the histogram, park, cores, numa,
 * diagnoses and goroutine-group sections, written through prom_write. */
#include "export/export_prom_sections.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diagnoses/diag.h"
#include "model/goroutine_groups.h"
#include "model/cores_metrics.h"
#include "model/go_timehist.h"
#include "model/park_hist.h"

/* A runtime histogram since the process started, in the log2 view (at most 68 buckets,
 * not the runtime's 160 or 720). The runtime keeps no sum: _sum is estimated from bucket
 * midpoints (the lower bound for the open-ended one). */
static void timehist(struct prom *w, const struct timehist_sample *h, const char *name,
                     const char *help)
{
    if (!h->valid || !h->raw)
        return;
    struct go_timehist_interval *iv = malloc(sizeof(*iv));
    char why[160];
    if (!iv)
        return;
    if (go_timehist_interval(&h->layout, NULL, h->raw, iv, why, sizeof(why)) == 0 &&
        iv->nlog2 > 0) {
        double le[GO_TIMEHIST_MAX_LOG2], sum = 0, lower = 0;
        uint64_t count[GO_TIMEHIST_MAX_LOG2];
        for (size_t i = 0; i < iv->nlog2; i++) {
            uint64_t b = iv->log2[i].le_ns;
            le[i] = b == GO_TIMEHIST_INF ? INFINITY : (double)b / 1e9;
            count[i] = iv->log2[i].count;
            double mid = isinf(le[i]) ? lower : (lower + le[i]) / 2;
            sum += mid * (double)count[i];
            if (!isinf(le[i]))
                lower = le[i];
        }
        prom_family(w, name, "histogram", help);
        prom_histogram(w, NULL, le, count, iv->nlog2, sum);
    }
    free(iv);
}

void prom_timehists(struct prom *w, const struct snapshot *cur)
{
    timehist(w, &cur->sched_latency, "gmptop_sched_latency_seconds",
             "Time goroutines waited runnable before running, since the process started "
             "(runtime histogram, sampled by the runtime; _sum estimated from buckets).");
    timehist(w, &cur->gc_pauses, "gmptop_gc_pause_seconds",
             "GC stop-the-world pauses since the process started (runtime histogram; _sum "
             "estimated from buckets).");
}

static void park_hist(struct prom *w, const struct park_hist_sample *h, const char *extra)
{
    double le[SNAPSHOT_PARK_SLOTS];
    for (size_t i = 0; i < SNAPSHOT_PARK_SLOTS; i++) {
        uint64_t b = park_slot_le_ns(i);
        le[i] = b == PARK_HIST_INF ? INFINITY : (double)b / 1e9;
    }
    prom_histogram(w, extra, le, h->slots, SNAPSHOT_PARK_SLOTS, (double)h->sum_ns / 1e9);
}

void prom_park(struct prom *w, const struct snapshot *cur)
{
    const struct park_sample *p = &cur->park;
    char lbl[128];
    if (!p->valid)
        return;
    static const char *const states[] = { "unavailable", "on", "sampling", "off" };
    prom_family(w, "gmptop_park_probe_state", "gauge",
                "What the BPF probes' overhead governor is doing (1 for the current state).");
    if (p->state >= PARK_GOV_UNAVAILABLE && p->state <= PARK_GOV_OFF)
        prom_sample(w, "", prom_labels(lbl, sizeof(lbl), 1, "state", states[p->state]), 1);
    prom_family(w, "gmptop_park_probe_duty_ratio", "gauge",
                "Share of time the park probes were attached.");
    prom_sample(w, "", NULL, p->duty);
    prom_family(w, "gmptop_park_probe_overhead_ratio", "gauge",
                "Estimated share of one CPU the probes cost the target now.");
    prom_sample(w, "", NULL, p->est_overhead_pct / 100.0);
    if (isfinite(p->measured_overhead_pct)) {
        prom_family(w, "gmptop_park_probe_measured_overhead_ratio", "gauge",
                    "Share of one CPU the probes cost the target, measured on it (its system "
                    "time attached vs detached) over the last 30 s.");
        prom_sample(w, "", NULL, p->measured_overhead_pct / 100.0);
    }
    if (p->state == PARK_GOV_UNAVAILABLE)
        return;
    prom_family(w, "gmptop_park_latency_seconds", "histogram",
                "How long goroutines stayed parked, by wait reason, while the probes were "
                "attached (cumulative since attach).");
    for (size_t i = 0; p->reasons && i < p->nreasons; i++)
        park_hist(w, &p->reasons[i],
                  prom_labels(lbl, sizeof(lbl), 1, "reason", p->reasons[i].name));
    prom_family(w, "gmptop_wake_to_run_latency_seconds", "histogram",
                "Time from runnable to running, while the probes were attached.");
    park_hist(w, &p->wake, NULL);
}

void prom_cores(struct prom *w, const struct snapshot *prev, const struct snapshot *cur)
{
    const struct cores_sample *cs = &cur->cores;
    if (!cs->valid || !cs->cpus || cs->ncpus == 0)
        return;
    struct cores_metrics *m = calloc(cs->ncpus, sizeof(*m));
    if (!m)
        return;
    cores_metrics_cpus(prev, cur, m);
    static const struct { const char *name, *help; size_t off; double scale; } fam[] = {
        { "gmptop_core_l3_miss_ratio", "Last-level cache misses per access over the last "
          "interval (per L3 domain on AMD).", offsetof(struct cores_metrics, l3_miss_ratio), 1 },
        { "gmptop_core_instructions_per_cycle", "Instructions per cycle over the last interval.",
          offsetof(struct cores_metrics, ipc), 1 },
        { "gmptop_core_l3_misses_per_kilo_instructions", "L3 misses per 1000 instructions.",
          offsetof(struct cores_metrics, l3_mpki), 1 },
        { "gmptop_core_dtlb_misses_per_kilo_instructions", "dTLB misses that walked the "
          "page table per 1000 instructions.", offsetof(struct cores_metrics, dtlb_mpki), 1 },
        { "gmptop_core_context_switches_per_second", "Context switches on the CPU.",
          offsetof(struct cores_metrics, ctx_switches_per_s), 1 },
        { "gmptop_core_migrations_per_second", "Migrations onto the CPU.",
          offsetof(struct cores_metrics, migrations_per_s), 1 },
        { "gmptop_core_counter_running_ratio", "Least share of time a hardware counter "
          "really counted (below 1: multiplexed and scaled).",
          offsetof(struct cores_metrics, running_pct), 0.01 },
    };
    char lbl[64], c[16];
    for (size_t f = 0; f < sizeof(fam) / sizeof(fam[0]); f++) {
        prom_family(w, fam[f].name, "gauge", fam[f].help);
        for (size_t i = 0; i < cs->ncpus; i++) {
            double v;
            memcpy(&v, (const char *)&m[i] + fam[f].off, sizeof(v));
            snprintf(c, sizeof(c), "%d", cs->cpus[i].cpu);
            prom_sample(w, "", prom_labels(lbl, sizeof(lbl), 1, "cpu", c), v * fam[f].scale);
        }
    }
    free(m);
}

static double nonneg(int64_t v) { return v >= 0 ? (double)v : NAN; }

void prom_numa(struct prom *w, const struct snapshot *cur)
{
    static const char *const kinds[NUMA_KIND_COUNT] = { "heap", "stack", "anon", "file",
                                                        "huge" };
    const struct numa_sample *ns = &cur->numa;
    char lbl[96], node[16];
    if (!ns->valid || !ns->nodes)
        return;
    prom_family(w, "gmptop_numa_pages", "gauge",
                "The process's resident pages on each node by kind (base pages).");
    for (size_t i = 0; i < ns->nnodes; i++) {
        snprintf(node, sizeof(node), "%d", ns->nodes[i].node);
        for (int k = 0; k < NUMA_KIND_COUNT; k++)
            prom_sample(w, "", prom_labels(lbl, sizeof(lbl), 2, "node", node, "kind", kinds[k]),
                        nonneg(ns->nodes[i].pages[k]));
    }
    static const struct { const char *name, *help; int what; } fam[] = {
        { "gmptop_numa_threads", "Process threads that last ran on the node.", 0 },
        { "gmptop_numa_ps", "Go Ps whose thread last ran on the node.", 1 },
        { "gmptop_numa_memory_total_bytes", "The node's memory.", 2 },
        { "gmptop_numa_memory_free_bytes", "The node's free memory.", 3 },
    };
    for (size_t f = 0; f < sizeof(fam) / sizeof(fam[0]); f++) {
        prom_family(w, fam[f].name, "gauge", fam[f].help);
        for (size_t i = 0; i < ns->nnodes; i++) {
            const struct numa_node_sample *n = &ns->nodes[i];
            double v = fam[f].what == 0 ? nonneg(n->threads) : fam[f].what == 1 ? nonneg(n->ps)
                     : fam[f].what == 2 ? nonneg(n->mem_total_kb) * 1024
                     : nonneg(n->mem_free_kb) * 1024;
            snprintf(node, sizeof(node), "%d", n->node);
            prom_sample(w, "", prom_labels(lbl, sizeof(lbl), 1, "node", node), v);
        }
    }
    prom_family(w, "gmptop_numa_local_ratio", "gauge",
                "Share of the process's pages on the nodes its threads run on.");
    prom_sample(w, "", NULL, isfinite(ns->local_pct) ? ns->local_pct / 100.0 : NAN);
}

void prom_diag(struct prom *w, const struct snapshot *cur)
{
    const struct diag_sample *d = &cur->diag;
    char lbl[96];
    if (!d->rules)
        return;
    prom_family(w, "gmptop_diagnosis_active", "gauge",
                "1 while the diagnosis rule finds its pathology (rules that cannot judge "
                "here are left out).");
    for (size_t i = 0; i < d->nrules; i++) {
        if (!d->rules[i].id || (d->rules[i].state != DIAG_RULE_QUIET &&
                                d->rules[i].state != DIAG_RULE_ACTIVE))
            continue;
        prom_sample(w, "", prom_labels(lbl, sizeof(lbl), 1, "rule", d->rules[i].id),
                    d->rules[i].state == DIAG_RULE_ACTIVE ? 1 : 0);
    }
    prom_family(w, "gmptop_diagnosis_severity", "gauge",
                "Severity of an active finding: 1 info, 2 warn, 3 crit.");
    for (size_t i = 0; d->findings && i < d->nfindings; i++)
        prom_sample(w, "", prom_labels(lbl, sizeof(lbl), 1, "rule", d->findings[i].id),
                    d->findings[i].severity);
    /* What each rule judged this tick, and against what: a fleet's alert rules
     * (prometheus/gmptop-alerts.yml) compare the same figures with the same thresholds.
     * A figure not measurable now is left out rather than exported as NaN. */
    prom_family(w, "gmptop_diagnosis_figure", "gauge",
                "A figure a diagnosis rule compares with its thresholds this tick "
                "(label figure; its unit is the threshold's of the same name).");
    for (size_t i = 0; i < d->nrules; i++) {
        const struct diag_rule_status *st = &d->rules[i];
        if (!st->id || (st->state != DIAG_RULE_QUIET && st->state != DIAG_RULE_ACTIVE))
            continue;
        for (int k = 0; k < st->nfigures && k < DIAG_MAX_FIGURES; k++)
            if (isfinite(st->figures[k].value))
                prom_sample(w, "", prom_labels(lbl, sizeof(lbl), 2, "rule", st->id,
                                               "figure", st->figures[k].name),
                            st->figures[k].value);
    }
    prom_family(w, "gmptop_diagnosis_threshold", "gauge",
                "A diagnosis rule's threshold in force (gmptop's settings, F2).");
    for (size_t i = 0; i < d->nrules; i++) {
        const struct diag_rule_status *st = &d->rules[i];
        const struct diag_rule *r = st->id ? diag_rule_find(st->id) : NULL;
        if (!r || st->state == DIAG_RULE_DISABLED)
            continue;
        for (size_t t = 0; t < r->nthresholds && t < DIAG_MAX_THRESHOLDS; t++)
            prom_sample(w, "", prom_labels(lbl, sizeof(lbl), 2, "rule", st->id, "threshold",
                                           r->thresholds[t].name), st->thr[t]);
    }
}

/* Goroutines per group, summed by where they wait (the group's first frame of the
 * program's own code), status and wait reason: stacks alone would make a series per
 * distinct stack. The 20 largest are kept, the rest summed under wait_func="other". */
#define PROM_GROUP_SERIES 20

struct group_series {
    const char *func, *status, *reason;
    int64_t count;
};

static int by_series_count(const void *a, const void *b)
{
    const struct group_series *x = a, *y = b;
    return x->count != y->count ? (x->count > y->count ? -1 : 1) : 0;
}

void prom_goroutines(struct prom *w, const struct snapshot *cur)
{
    const struct goroutines_sample *g = &cur->goroutines;
    if (!g->valid)
        return;
    struct group_series *ser = calloc(g->ngroups + 1, sizeof(*ser));
    if (!ser)
        return;
    size_t n = 0;
    for (size_t i = 0; i < g->ngroups; i++) {
        const struct goroutine_group *gr = &g->groups[i];
        const struct gframe *u = gstack_user_frame(gr->stack);
        const char *func = u ? u->func : gr->stack->nframes ? "runtime" : "running";
        const char *status = goroutine_group_status_name(gr);
        size_t k = 0;
        while (k < n && !(ser[k].func == func && ser[k].status == status &&
                          ser[k].reason == gr->wait_reason))
            k++;
        if (k == n)
            ser[n++] = (struct group_series){ func, status, gr->wait_reason, 0 };
        ser[k].count += gr->count;
    }
    qsort(ser, n, sizeof(*ser), by_series_count);
    int64_t other = g->other_count;
    for (size_t k = PROM_GROUP_SERIES; k < n; k++)
        other += ser[k].count;
    char lbl[1024];
    prom_family(w, "gmptop_goroutine_groups", "gauge",
                "Goroutines by where they wait (first frame of the program's own code), "
                "status and wait reason; the 20 largest, the rest under wait_func=\"other\".");
    for (size_t k = 0; k < n && k < PROM_GROUP_SERIES; k++)
        prom_sample(w, "", prom_labels(lbl, sizeof(lbl), 3, "wait_func", ser[k].func, "status",
                                       ser[k].status, "wait_reason", ser[k].reason),
                    (double)ser[k].count);
    if (other > 0)
        prom_sample(w, "", prom_labels(lbl, sizeof(lbl), 3, "wait_func", "other", "status",
                                       "other", "wait_reason", "other"), (double)other);
    free(ser);
    prom_family(w, "gmptop_goroutine_stacks_read", "gauge",
                "Goroutines whose stacks the last refresh read (fewer than all when sampled).");
    prom_sample(w, "", NULL, (double)g->read);
    prom_family(w, "gmptop_goroutine_groups_sampled", "gauge",
                "1 when the goroutine groups rest on a sample (--stacks-budget).");
    prom_sample(w, "", NULL, g->sampled ? 1 : 0);
    prom_family(w, "gmptop_goroutine_stacks_dropped_total", "counter",
                "Goroutine stacks dropped since attach: changed while read, or not walkable.");
    prom_sample(w, "", NULL, (double)g->dropped_total);
}
