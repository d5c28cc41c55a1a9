/* export_prom: a snapshot pair as Prometheus text exposition (format 0.0.4); pure, no
 * I/O, so it is unit-tested on synthetic snapshots. */
#include "config.h"
#include "export/export_prom.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "export/export_prom_sections.h"
#include "export/prom_write.h"
#include "base/util.h"
#include "model/rates.h"

/* ---- target, threads, CPUs ---------------------------------------------------------- */

static void target_metrics(struct prom *w, const struct snapshot *prev,
                           const struct snapshot *cur)
{
    const struct snapshot_meta *m = &cur->meta;
    char pid[16], lbl[512];
    snprintf(pid, sizeof(pid), "%d", (int)m->pid);
    prom_family(w, "gmptop_target_info", "gauge", "The watched process (always 1).");
    prom_sample(w, "", prom_labels(lbl, sizeof(lbl), 3, "pid", pid, "comm", m->comm,
                                   "go_version", m->go_version), 1);
    prom_family(w, "gmptop_target_uptime_seconds", "gauge", "Age of the watched process.");
    prom_sample(w, "", NULL, m->uptime_s >= 0 ? m->uptime_s : NAN);
    prom_family(w, "gmptop_target_exited", "gauge", "1 once the watched process exited.");
    prom_sample(w, "", NULL, m->target_gone ? 1 : 0);
    prom_family(w, "gmptop_snapshot_timestamp_seconds", "gauge",
                "Wall-clock time the snapshot was taken.");
    prom_sample(w, "", NULL, (double)m->time_ns / 1e9);
    prom_family(w, "gmptop_snapshot_interval_seconds", "gauge",
                "Time between the last two snapshots (the rates' interval).");
    prom_sample(w, "", NULL, prev ? rates_interval_s(prev, cur) : NAN);
}

/* Sums of per-thread rates; NAN when no thread had the figure. */
static void add(double *sum, double v)
{
    if (!isnan(v))
        *sum = isnan(*sum) ? v : *sum + v;
}

static void thread_metrics(struct prom *w, const struct snapshot *prev,
                           const struct snapshot *cur)
{
    const struct collector_status *st = snapshot_status(cur, "threads");
    if (!cur->nthreads && !(st && st->available))
        return;
    prom_family(w, "gmptop_threads", "gauge", "OS threads of the process.");
    prom_sample(w, "", NULL, (double)cur->nthreads);
    static const char states[] = "RSDTtZXI";
    prom_family(w, "gmptop_threads_by_state", "gauge",
                "OS threads by scheduler state letter (as in /proc/PID/stat).");
    for (const char *c = states; *c; c++) {
        size_t n = 0;
        for (size_t i = 0; i < cur->nthreads; i++)
            n += cur->threads[i].state == *c;
        char s[2] = { *c, 0 }, lbl[64];
        prom_sample(w, "", prom_labels(lbl, sizeof(lbl), 1, "state", s), (double)n);
    }
    double cpu = NAN, vol = NAN, invol = NAN, migr = NAN, delay = NAN;
    for (size_t i = 0; prev && i < cur->nthreads; i++) {
        struct thread_rates r;
        rates_thread(prev, cur, &cur->threads[i], &r);
        add(&cpu, r.cpu_pct / 100.0);
        add(&vol, r.nvcsw_per_s);
        add(&invol, r.nivcsw_per_s);
        add(&migr, r.migrations_per_s);
        add(&delay, r.run_delay_ms_per_s / 1000.0);
    }
    char lbl[64];
    prom_family(w, "gmptop_process_cpu_usage_cores", "gauge",
                "CPUs' worth of time the process ran over the last interval.");
    prom_sample(w, "", NULL, cpu);
    prom_family(w, "gmptop_process_context_switches_per_second", "gauge",
                "Context switches of all threads per second over the last interval.");
    prom_sample(w, "", prom_labels(lbl, sizeof(lbl), 1, "kind", "voluntary"), vol);
    prom_sample(w, "", prom_labels(lbl, sizeof(lbl), 1, "kind", "involuntary"), invol);
    prom_family(w, "gmptop_process_migrations_per_second", "gauge",
                "CPU migrations of all threads per second over the last interval.");
    prom_sample(w, "", NULL, migr);
    prom_family(w, "gmptop_process_run_delay_ratio", "gauge",
                "Seconds threads waited runnable for a CPU per second (summed).");
    prom_sample(w, "", NULL, delay);
}

static void cpu_metrics(struct prom *w, const struct snapshot *prev,
                        const struct snapshot *cur)
{
    char lbl[64], c[16];
    prom_family(w, "gmptop_cpu_online", "gauge", "1 when the CPU is online.");
    for (size_t i = 0; i < cur->ncpus; i++) {
        snprintf(c, sizeof(c), "%d", cur->cpus[i].cpu);
        prom_sample(w, "", prom_labels(lbl, sizeof(lbl), 1, "cpu", c),
                    cur->cpus[i].online ? 1 : 0);
    }
    prom_family(w, "gmptop_cpu_utilization_ratio", "gauge",
                "Busy share of each CPU over the last interval (all processes).");
    for (size_t i = 0; prev && i < cur->ncpus; i++) {
        snprintf(c, sizeof(c), "%d", cur->cpus[i].cpu);
        prom_sample(w, "", prom_labels(lbl, sizeof(lbl), 1, "cpu", c),
                    rates_cpu_util(prev, cur, cur->cpus[i].cpu) / 100.0);
    }
}

/* ---- scheduler ---------------------------------------------------------------------- */

static double nonneg(int64_t v) { return v >= 0 ? (double)v : NAN; }

static void sched_globals(struct prom *w, const struct sched_sample *sc)
{
    prom_family(w, "gmptop_gomaxprocs", "gauge", "GOMAXPROCS: the number of Ps.");
    prom_sample(w, "", NULL, sc->gomaxprocs);
    const char *src = gomaxprocs_source_name(sc->gomaxprocs_source);
    if (src) {
        char lbl[64];
        prom_family(w, "gmptop_gomaxprocs_source", "gauge",
                    "1, labelled with who set GOMAXPROCS: env, program or runtime.");
        prom_sample(w, "", prom_labels(lbl, sizeof(lbl), 1, "source", src), 1);
    }
    if (sc->gomaxprocs_auto > 0) {
        prom_family(w, "gmptop_gomaxprocs_default", "gauge",
                    "What the Go runtime's own rule picks for this process (its version, "
                    "GODEBUG, CPU mask and cgroup quota).");
        prom_sample(w, "", NULL, sc->gomaxprocs_auto);
    }
    if (sc->goids_allocated >= 0) {
        prom_family(w, "gmptop_goroutines_created_total", "counter",
                    "Goroutine ids handed out by the runtime (in batches of 16 per P).");
        prom_sample(w, "", NULL, (double)sc->goids_allocated);
    }
    prom_family(w, "gmptop_global_runqueue", "gauge", "Goroutines in the global run queue.");
    prom_sample(w, "", NULL, nonneg(sc->runq_global));
    prom_family(w, "gmptop_idle_ps", "gauge", "Ps without work.");
    prom_sample(w, "", NULL, nonneg(sc->idle_p));
    prom_family(w, "gmptop_spinning_threads", "gauge", "Ms (OS threads) spinning to find work.");
    prom_sample(w, "", NULL, nonneg(sc->spinning_m));
    prom_family(w, "gmptop_runtime_threads", "gauge", "Ms (OS threads) the runtime holds.");
    prom_sample(w, "", NULL, nonneg(sc->threads));
    prom_family(w, "gmptop_runtime_idle_threads", "gauge", "Ms parked idle.");
    prom_sample(w, "", NULL, nonneg(sc->idle_threads));
    prom_family(w, "gmptop_gc_cycles_total", "counter", "Completed GC cycles.");
    prom_sample(w, "", NULL, nonneg(sc->gc_cycles));
    prom_family(w, "gmptop_gc_last_pause_seconds", "gauge", "The last GC pause.");
    prom_sample(w, "", NULL, sc->gc_last_pause_ns >= 0 ? sc->gc_last_pause_ns / 1e9 : NAN);
    prom_family(w, "gmptop_cpu_quota_cores", "gauge", "cgroup CPU quota in CPUs.");
    prom_sample(w, "", NULL, isfinite(sc->cpu_quota) ? sc->cpu_quota : NAN);
    prom_family(w, "gmptop_cgroup_throttled_periods_total", "counter",
                "cgroup periods in which the process was throttled.");
    prom_sample(w, "", NULL, nonneg(sc->nr_throttled));
    prom_family(w, "gmptop_cgroup_throttled_seconds_total", "counter",
                "Time the cgroup was throttled.");
    prom_sample(w, "", NULL, sc->throttled_ns >= 0 ? sc->throttled_ns / 1e9 : NAN);
    prom_family(w, "gmptop_cpus_allowed", "gauge", "CPUs in the process's affinity mask.");
    prom_sample(w, "", NULL, nonneg(sc->cpus_allowed));
    prom_family(w, "gmptop_sched_dropped_reads_total", "counter",
                "Reads of the runtime's memory dropped as implausible or partial.");
    prom_sample(w, "", NULL, (double)sc->dropped);
}

static void sched_census(struct prom *w, const struct sched_sample *sc)
{
    char lbl[128];
    if (!sc->census_valid)
        return;
    prom_family(w, "gmptop_goroutines", "gauge", "Goroutines that are not dead.");
    prom_sample(w, "", NULL, nonneg(sc->g_total));
    prom_family(w, "gmptop_goroutines_by_state", "gauge", "Goroutines by status.");
    for (int i = 0; i < GO_G_CLASS_COUNT; i++)
        prom_sample(w, "", prom_labels(lbl, sizeof(lbl), 1, "state",
                                             go_g_class_name((enum go_g_class)i)),
                    nonneg(sc->g_by_class[i]));
    prom_family(w, "gmptop_goroutines_waiting", "gauge", "Waiting goroutines by reason.");
    for (size_t i = 0; i < sc->nreasons && i < SCHED_MAX_REASONS; i++)
        prom_sample(w, "", prom_labels(lbl, sizeof(lbl), 1, "reason", sc->by_reason[i].name),
                    nonneg(sc->by_reason[i].count));
    prom_family(w, "gmptop_goroutine_census_sampled", "gauge",
                "1 when the census was a stride sample with scaled counts.");
    prom_sample(w, "", NULL, sc->census_sampled ? 1 : 0);
}

static void sched_ps(struct prom *w, const struct sched_sample *sc)
{
    char lbl[128], p[16];
    static const struct { const char *name, *type, *help; int what; } fam[] = {
        { "gmptop_p_runqueue", "gauge", "Goroutines in the P's local run queue.", 0 },
        { "gmptop_p_runqueue_max", "gauge", "Longest local run queue seen since the last "
          "snapshot (sampled between snapshots).", 1 },
        { "gmptop_p_runqueue_mean", "gauge", "Mean local run queue since the last snapshot.", 2 },
        { "gmptop_p_runnext", "gauge", "1 when a goroutine waits in the P's runnext slot.", 3 },
        { "gmptop_p_schedticks_total", "counter", "Scheduler ticks of the P.", 4 },
        { "gmptop_p_syscallticks_total", "counter", "System-call ticks of the P.", 5 },
    };
    for (size_t f = 0; f < sizeof(fam) / sizeof(fam[0]); f++) {
        prom_family(w, fam[f].name, fam[f].type, fam[f].help);
        for (size_t i = 0; i < sc->nps; i++) {
            const struct p_sample *ps = &sc->ps[i];
            double v = fam[f].what == 0 ? ps->runq : fam[f].what == 1 ? ps->runq_max
                     : fam[f].what == 2 ? ps->runq_mean : fam[f].what == 3 ? ps->runnext
                     : fam[f].what == 4 ? ps->schedtick : ps->syscalltick;
            snprintf(p, sizeof(p), "%d", ps->id);
            prom_sample(w, "", prom_labels(lbl, sizeof(lbl), 1, "p", p), v);
        }
    }
    prom_family(w, "gmptop_p_status", "gauge", "The P's status (1 for the current one).");
    for (size_t i = 0; i < sc->nps; i++) {
        snprintf(p, sizeof(p), "%d", sc->ps[i].id);
        prom_sample(w, "", prom_labels(lbl, sizeof(lbl), 2, "p", p, "status",
                                       rates_p_status_name(sc->ps[i].status)), 1);
    }
}

static void collectors(struct prom *w, const struct snapshot *cur)
{
    char lbl[96];
    prom_family(w, "gmptop_collector_available", "gauge",
                "1 when the collector could read its data this snapshot.");
    for (size_t i = 0; i < cur->nstatus; i++)
        prom_sample(w, "", prom_labels(lbl, sizeof(lbl), 1, "collector", cur->status[i].name),
                    cur->status[i].available ? 1 : 0);
}

static void snapshot_metrics(struct prom *w, const struct snapshot *prev,
                             const struct snapshot *cur)
{
    if (!cur)
        return;
    target_metrics(w, prev, cur);
    thread_metrics(w, prev, cur);
    cpu_metrics(w, prev, cur);
    if (cur->sched.valid) {
        sched_globals(w, &cur->sched);
        sched_census(w, &cur->sched);
        sched_ps(w, &cur->sched);
    }
    prom_timehists(w, cur);
    prom_park(w, cur);
    prom_cores(w, prev, cur);
    prom_numa(w, cur);
    prom_diag(w, cur);
    prom_goroutines(w, cur);
    prom_cpuprof(w, cur);
    collectors(w, cur);
}

#ifdef HAVE_BPF
#define BUILT_BPF "yes"
#else
#define BUILT_BPF "no"
#endif
#ifdef HAVE_NUMA
#define BUILT_NUMA "yes"
#else
#define BUILT_NUMA "no"
#endif

/* What the exporter says about itself, as node_exporter does: which gmptop this is, and
 * whether its last snapshot and exposition went well. t0: when the exposition began. */
static void exporter_metrics(struct prom *w, const struct prom_scrape *sc, int64_t t0)
{
    char lbl[160];
    prom_family(w, "gmptop_build_info", "gauge",
                "The gmptop serving these metrics: version and the collectors built in.");
    prom_sample(w, "", prom_labels(lbl, sizeof(lbl), 3, "version", PACKAGE_VERSION,
                                   "bpf", BUILT_BPF, "numa", BUILT_NUMA), 1);
    prom_family(w, "gmptop_sample_duration_seconds", "gauge",
                "Time the last snapshot took to take (collectors and diagnosis rules).");
    prom_sample(w, "", NULL, sc->sample_seconds);
    prom_family(w, "gmptop_scrape_errors_total", "counter",
                "Snapshots that failed to be taken (sample) or written out (encode); "
                "the last good exposition is served meanwhile.");
    prom_sample(w, "", prom_labels(lbl, sizeof(lbl), 1, "cause", "sample"),
                (double)sc->sample_errors);
    prom_sample(w, "", prom_labels(lbl, sizeof(lbl), 1, "cause", "encode"),
                (double)sc->encode_errors);
    /* Last, so that it covers the writing of everything above it. */
    prom_family(w, "gmptop_scrape_duration_seconds", "gauge",
                "Time to build this exposition from the snapshot.");
    prom_sample(w, "", NULL, (double)(util_mono_ns() - t0) / 1e9);
}

/* The exposition of the pair, followed by the exporter's own metrics when sc is given. */
static char *expose(const struct snapshot *prev, const struct snapshot *cur,
                    const struct prom_scrape *sc, size_t *len)
{
    int64_t t0 = util_mono_ns();
    char *text = NULL;
    size_t n = 0;
    struct prom w = { .f = open_memstream(&text, &n) };
    if (!w.f)
        return NULL;
    snapshot_metrics(&w, prev, cur);
    if (sc)
        exporter_metrics(&w, sc, t0);
    if (fclose(w.f) != 0) {
        free(text);
        return NULL;
    }
    if (len)
        *len = n;
    return text;
}

char *export_prom(const struct snapshot *prev, const struct snapshot *cur, size_t *len)
{
    return expose(prev, cur, NULL, len);
}

char *export_prom_scrape(const struct snapshot *prev, const struct snapshot *cur,
                         const struct prom_scrape *sc, size_t *len)
{
    return expose(prev, cur, sc, len);
}
