/* batch: non-interactive output, one snapshot per interval as text or JSON lines. */
#include "export/batch.h"

#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "export/json_diag.h"
#include "export/json_sched.h"
#include "export/json_sections.h"
#include "export/export_prom.h"
#include "export/json_util.h"
#include "model/rates.h"
#include "base/util.h"

static json_object *thread_json(const struct snapshot *prev, const struct snapshot *cur,
                                const struct thread_sample *t)
{
    struct thread_rates r;
    rates_thread(prev, cur, t, &r);
    json_object *o = json_object_new_object();
    char state[2] = { t->state ? t->state : '?', '\0' };
    json_object_object_add(o, "tid", json_object_new_int(t->tid));
    json_object_object_add(o, "name", json_object_new_string(t->name));
    json_object_object_add(o, "state", json_object_new_string(state));
    json_object_object_add(o, "cpu",
                           (t->have & THREAD_HAVE_CPU) ? json_object_new_int(t->cpu) : NULL);
    json_object_object_add(o, "cpu_pct", json_number(r.cpu_pct, 1));
    json_object_object_add(o, "migrations_per_s", json_number(r.migrations_per_s, 2));
    json_object_object_add(o, "nvcsw_per_s", json_number(r.nvcsw_per_s, 2));
    json_object_object_add(o, "nivcsw_per_s", json_number(r.nivcsw_per_s, 2));
    json_object_object_add(o, "run_delay_ms_per_s", json_number(r.run_delay_ms_per_s, 3));
    json_object_object_add(o, "affinity", (t->have & THREAD_HAVE_AFFINITY)
                           ? json_object_new_string(t->affinity) : NULL);
    return o;
}

static json_object *cpus_json(const struct snapshot *prev, const struct snapshot *cur)
{
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < cur->ncpus; i++) {
        const struct cpu_sample *c = &cur->cpus[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "cpu", json_object_new_int(c->cpu));
        json_object_object_add(o, "node", c->node >= 0 ? json_object_new_int(c->node) : NULL);
        json_object_object_add(o, "online", json_object_new_boolean(c->online));
        json_object_object_add(o, "util_pct", json_number(rates_cpu_util(prev, cur, c->cpu), 1));
        json_object_array_add(arr, o);
    }
    return arr;
}

static json_object *collectors_json(const struct snapshot *cur)
{
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < cur->nstatus; i++) {
        const struct collector_status *st = &cur->status[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "name", json_object_new_string(st->name));
        json_object_object_add(o, "available", json_object_new_boolean(st->available));
        json_object_object_add(o, "reason", st->reason[0]
                               ? json_object_new_string(st->reason) : NULL);
        json_object_array_add(arr, o);
    }
    return arr;
}

char *batch_json(const struct snapshot *prev, const struct snapshot *cur)
{
    const struct snapshot_meta *m = &cur->meta;
    char when[40];
    json_format_time(m->time_ns, when, sizeof(when));

    json_object *root = json_object_new_object();
    json_object_object_add(root, "schema", json_object_new_int(m->schema));
    json_object_object_add(root, "time", json_object_new_string(when));
    json_object_object_add(root, "interval_s", prev ? json_number(rates_interval_s(prev, cur), 3)
                                                    : NULL);
    json_object_object_add(root, "pid", json_object_new_int(m->pid));
    json_object_object_add(root, "comm", json_object_new_string(m->comm));
    json_object_object_add(root, "go_version", m->go_version[0]
                           ? json_object_new_string(m->go_version) : NULL);
    json_object_object_add(root, "uptime_s", json_number(m->uptime_s >= 0 ? m->uptime_s : NAN, 1));
    json_object_object_add(root, "target_exited", json_object_new_boolean(m->target_gone));

    json_object *threads = json_object_new_array();
    for (size_t i = 0; i < cur->nthreads; i++)
        json_object_array_add(threads, thread_json(prev, cur, &cur->threads[i]));
    json_object_object_add(root, "threads", threads);
    json_object_object_add(root, "cpus", cpus_json(prev, cur));
    json_object_object_add(root, "sched", json_sched(prev, cur));
    json_object_object_add(root, "sched_latency",
                           json_timehist(prev ? &prev->sched_latency : NULL,
                                         &cur->sched_latency, "runtime.sched.timeToRun"));
    json_object_object_add(root, "gc_pauses",
                           json_timehist(prev ? &prev->gc_pauses : NULL, &cur->gc_pauses,
                                         "runtime GC pause histogram"));
    json_object_object_add(root, "park", json_park(prev, cur));
    json_object_object_add(root, "wake_to_run", json_wake_to_run(prev, cur));
    json_object_object_add(root, "cores", json_cores(prev, cur));
    json_object_object_add(root, "numa", json_numa(prev, cur));
    json_goroutines_add(root, prev, cur);
    json_object_object_add(root, "cpu_profile", json_cpuprof(cur));
    json_object_object_add(root, "diagnoses", json_diagnoses(cur));
    json_object_object_add(root, "collectors", collectors_json(cur));

    const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
                                                      JSON_C_TO_STRING_NOSLASHESCAPE);
    char *out = strdup(text);
    json_object_put(root);
    return out;
}

/* "n/a" for unmeasurable figures in the text table. */
static const char *fmt_num(char *buf, size_t len, double v, int decimals)
{
    if (!isfinite(v))
        return "n/a";
    snprintf(buf, len, "%.*f", decimals, v);
    return buf;
}

void batch_text(FILE *out, const struct snapshot *prev, const struct snapshot *cur)
{
    const struct snapshot_meta *m = &cur->meta;
    char when[40];
    json_format_time(m->time_ns, when, sizeof(when));
    fprintf(out, "%s  pid %d (%s)  %s  threads %zu\n", when, (int)m->pid, m->comm,
            m->go_version[0] ? m->go_version : "go?", cur->nthreads);
    for (size_t i = 0; i < cur->nstatus; i++)
        if (!cur->status[i].available)
            fprintf(out, "  %s: unavailable: %s\n", cur->status[i].name, cur->status[i].reason);
    fprintf(out, "%8s %-15s %1s %4s %6s %8s %8s %8s %10s %s\n", "TID", "NAME", "S", "CPU",
            "CPU%", "MIGR/s", "VCSW/s", "IVCSW/s", "RUNDLYms/s", "AFFINITY");
    for (size_t i = 0; i < cur->nthreads; i++) {
        const struct thread_sample *t = &cur->threads[i];
        struct thread_rates r;
        rates_thread(prev, cur, t, &r);
        char b[5][32], cpu[16];
        if (t->have & THREAD_HAVE_CPU)
            snprintf(cpu, sizeof(cpu), "%d", t->cpu);
        else
            util_strlcpy(cpu, "n/a", sizeof(cpu));
        fprintf(out, "%8d %-15s %c %4s %6s %8s %8s %8s %10s %s\n", (int)t->tid, t->name,
                t->state ? t->state : '?', cpu,
                fmt_num(b[0], sizeof(b[0]), r.cpu_pct, 1),
                fmt_num(b[1], sizeof(b[1]), r.migrations_per_s, 1),
                fmt_num(b[2], sizeof(b[2]), r.nvcsw_per_s, 1),
                fmt_num(b[3], sizeof(b[3]), r.nivcsw_per_s, 1),
                fmt_num(b[4], sizeof(b[4]), r.run_delay_ms_per_s, 2),
                (t->have & THREAD_HAVE_AFFINITY) ? t->affinity : "n/a");
    }
    fputc('\n', out);
}

static void sleep_until(int64_t deadline_ns)
{
    struct timespec ts = { .tv_sec = deadline_ns / 1000000000LL,
                           .tv_nsec = deadline_ns % 1000000000LL };
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

static int report_exit(const struct session *s)
{
    if (s->gone_exec[0])
        fprintf(stderr, "gmptop: process %d (%s) exec'd %s: no longer the program gmptop "
                "attached to\n", (int)s->target.pid, s->target.comm, s->gone_exec);
    else
        fprintf(stderr, "gmptop: process %d (%s) exited\n", (int)s->target.pid,
                s->target.comm);
    return 3;
}

int batch_worst_active(const struct snapshot *cur)
{
    int worst = DIAG_NONE;
    for (size_t i = 0; i < cur->diag.nfindings; i++)
        if ((int)cur->diag.findings[i].severity > worst)
            worst = cur->diag.findings[i].severity;
    return worst;
}

void batch_print(const struct options *o, FILE *out, const struct snapshot *prev,
                 const struct snapshot *cur, bool first)
{
    if (o->diagnose_only) {
        /* The first line reports what is already active, as if it had just started. */
        diag_print_changes(out, first ? NULL : prev, cur, o->format == FORMAT_JSON);
    } else if (o->format == FORMAT_PROM) {
        /* The exposition /metrics serves, one per snapshot; "# EOF" (a comment to the
         * 0.0.4 text format) ends each, so a reader can split the stream. */
        size_t len = 0;
        char *text = export_prom(prev, cur, &len);
        if (text)
            fwrite(text, 1, len, out);
        fputs("# EOF\n", out);
        free(text);
    } else if (o->format == FORMAT_JSON) {
        char *line = batch_json(prev, cur);
        if (line)
            fprintf(out, "%s\n", line);
        free(line);
    } else {
        batch_text(out, prev, cur);
    }
    fflush(out);
}

int batch_run(const struct options *o, struct session *s, FILE *out)
{
    int64_t period = (int64_t)(o->delay_s * 1e9);
    int64_t next = util_mono_ns();
    int worst = DIAG_NONE, status = 0;
    bool first = true;
    /* A first, unprinted sample: every printed snapshot then carries rates measured
     * over the interval before it, as pidstat does. */
    if (session_tick(s) == -ESRCH)
        return report_exit(s);
    for (long printed = 0; o->count == 0 || printed < o->count; printed++) {
        next += period;
        sleep_until(next);
        if (session_tick(s) == -ESRCH) {
            status = report_exit(s);
            break;
        }
        const struct snapshot *cur = history_get(s->history, 0);
        batch_print(o, out, history_get(s->history, 1), cur, first);
        first = false;
        int w = batch_worst_active(cur);
        worst = w > worst ? w : worst;
    }
    /* CI of a load test: a finding at or above --fail-on fails the run, even when the
     * target ended first. */
    if (o->fail_on != DIAG_NONE && worst >= o->fail_on) {
        fprintf(stderr, "gmptop: a %s finding occurred (--fail-on %s)\n",
                diag_severity_name(worst), diag_severity_name(o->fail_on));
        return 4;
    }
    return status;
}
