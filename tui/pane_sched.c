/* pane_sched: the Go scheduler read live from the target: budget, queues, one row per P. */
#include "tui/pane.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ncurses.h>

#include "tui/draw.h"
#include "tui/sched_charts.h"
#include "model/history.h"
#include "model/placement.h"
#include "model/rates.h"

enum scol {
    SC_P, SC_STATUS, SC_RUNQ, SC_MAX, SC_MEAN, SC_NEXT, SC_SCHED, SC_SYSC, SC_M, SC_TID,
    SC_CPU, SC_G, SC_HIST, SC_COUNT
};

/* At 40 columns P, STATUS, RUNQ, TID and CPU stay; the history sparkline is dropped
 * before the other figures only because it needs several cells to say anything. */
static const struct draw_col_spec col_spec[SC_COUNT] = {
    [SC_P]      = { .title = "P", .width = 3, .min_width = 3, .right = true },
    [SC_STATUS] = { .title = "STATUS", .width = 7, .min_width = 7 },
    [SC_RUNQ]   = { .title = "RUNQ", .width = 4, .min_width = 4, .right = true },
    [SC_MAX]    = { .title = "MAX", .width = 4, .min_width = 4, .rank = 6, .right = true },
    [SC_MEAN]   = { .title = "MEAN", .width = 6, .min_width = 6, .rank = 9, .right = true },
    [SC_NEXT]   = { .title = "NEXT", .width = 4, .min_width = 4, .rank = 3 },
    [SC_SCHED]  = { .title = "SCHED/s", .width = 8, .min_width = 8, .rank = 8, .right = true },
    [SC_SYSC]   = { .title = "SYSC/s", .width = 7, .min_width = 7, .rank = 10, .right = true },
    [SC_M]      = { .title = "M", .width = 4, .min_width = 4, .rank = 5, .right = true },
    [SC_TID]    = { .title = "TID", .width = 7, .min_width = 7, .rank = 1, .right = true },
    [SC_CPU]    = { .title = "CPU", .width = 3, .min_width = 3, .rank = 2, .right = true },
    [SC_G]      = { .title = "G", .width = 10, .min_width = 10, .rank = 7, .right = true },
    [SC_HIST]   = { .title = "RUNQ HISTORY", .width = 24, .min_width = 8, .rank = 4, .flex = true },
};

#define SPARK_MAX 200         /* draw_sparkline draws at most this many cells */
#define MAX_SEGS 14

struct sched_pane {
    struct draw_col_place place[SC_COUNT];
    size_t sel, top;
    int page;                 /* visible P rows at the last draw */
    int list_y;               /* screen row of the first of them */
    size_t nrows;
    char hist_title[48];
};

/* What the pane draws from: the newest snapshot whose scheduler read was good, and
 * where it sits in the history ring (for the sparkline). */
struct sched_src {
    const struct snapshot *cur, *prev;
    const struct history *h;  /* NULL when the ring does not hold cur */
    size_t age;               /* cur's age in h */
};

/* A piece of the summary block; packed into as few lines as the width allows. */
struct seg {
    char text[128];
    char short_text[72];      /* used when text is wider than the pane; may be "" */
    attr_t a;
    int group;                /* a new group starts a new line when there is room */
};

static void find_source(const struct pane_view *v, struct sched_src *src)
{
    memset(src, 0, sizeof(*src));
    const struct history *h = v->h;
    if (h && history_get(h, 0) == v->cur) {
        /* A dropped tick leaves cur invalid: show the last good read, labelled as old,
         * rather than nothing (and never the rejected figures). */
        size_t n = history_len(h);
        for (size_t age = 0; age < n; age++) {
            const struct snapshot *s = history_get(h, age);
            if (s && s->sched.valid && s->meta.pid == v->cur->meta.pid) {
                src->cur = s;
                src->prev = history_get(h, age + 1);
                src->h = h;
                src->age = age;
                return;
            }
        }
        return;
    }
    if (v->cur && v->cur->sched.valid) {
        src->cur = v->cur;
        src->prev = v->prev;
    }
}

static void seg_add(struct seg *segs, int *n, int group, attr_t a, const char *short_text,
                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void seg_add(struct seg *segs, int *n, int group, attr_t a, const char *short_text,
                    const char *fmt, ...)
{
    if (*n >= MAX_SEGS)
        return;
    struct seg *s = &segs[(*n)++];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->text, sizeof(s->text), fmt, ap);
    va_end(ap);
    snprintf(s->short_text, sizeof(s->short_text), "%s", short_text ? short_text : "");
    s->a = a;
    s->group = group;
}

static void fmt_pause(char *buf, size_t len, int64_t ns)
{
    if (ns < 0)
        snprintf(buf, len, "n/a");
    else if (ns < 1000000)
        snprintf(buf, len, "%.0f us", (double)ns / 1e3);
    else
        snprintf(buf, len, "%.1f ms", (double)ns / 1e6);
}

/* The CPU budget: flagged when GOMAXPROCS asks for more CPUs than the process may use. */
static void budget_segs(const struct sched_sample *ss, struct seg *segs, int *n)
{
    char sh[72];
    double q = ss->cpu_quota;
    /* Go 1.25+ itself picks max(ceil(quota), 2) Ps, so only more than that is flagged. */
    int32_t floor_ps = !isnan(q) && q > 0 ? (int32_t)ceil(q - 1e-9) : 0;
    if (floor_ps > 0 && floor_ps < 2)
        floor_ps = 2;
    bool over_quota = floor_ps > 0 && ss->gomaxprocs > floor_ps;
    const char *src = gomaxprocs_source_name(ss->gomaxprocs_source);
    char by[24] = "";
    if (src)
        snprintf(by, sizeof(by), " (%s)", src);
    bool over_mask = ss->cpus_allowed > 0 && ss->gomaxprocs > ss->cpus_allowed;
    if (over_quota) {
        snprintf(sh, sizeof(sh), "GOMAXPROCS %d > quota %.1f", (int)ss->gomaxprocs, q);
        seg_add(segs, n, 0, draw_role(THEME_CRIT) | A_BOLD, sh,
                "GOMAXPROCS %d%s > quota %.1f CPUs", (int)ss->gomaxprocs, by, q);
    } else if (over_mask) {
        snprintf(sh, sizeof(sh), "GOMAXPROCS %d > %d CPUs", (int)ss->gomaxprocs,
                 (int)ss->cpus_allowed);
        seg_add(segs, n, 0, draw_role(THEME_WARN) | A_BOLD, sh,
                "GOMAXPROCS %d%s > %d allowed CPUs", (int)ss->gomaxprocs, by,
                (int)ss->cpus_allowed);
    } else {
        snprintf(sh, sizeof(sh), "GOMAXPROCS %d", (int)ss->gomaxprocs);
        seg_add(segs, n, 0, A_BOLD, sh, "GOMAXPROCS %d%s", (int)ss->gomaxprocs, by);
    }
    char online[16], allowed[16], quota[24];
    if (ss->cpus_online > 0)
        snprintf(online, sizeof(online), "%d", (int)ss->cpus_online);
    else
        snprintf(online, sizeof(online), "n/a");
    if (ss->cpus_allowed > 0)
        snprintf(allowed, sizeof(allowed), "%d", (int)ss->cpus_allowed);
    else
        snprintf(allowed, sizeof(allowed), "n/a");
    if (isnan(q))
        snprintf(quota, sizeof(quota), "no quota");
    else
        snprintf(quota, sizeof(quota), "quota %.1f", q);
    snprintf(sh, sizeof(sh), "CPUs %s (%s allowed)%s%s", online, allowed,
             isnan(q) ? "" : ", ", isnan(q) ? "" : quota);
    seg_add(segs, n, 0, A_NORMAL, sh, "CPUs: %s online, %s allowed, %s", online, allowed,
            quota);
}

static void fmt_ns(char *buf, size_t len, uint64_t ns)
{
    if (ns == GO_TIMEHIST_INF)
        snprintf(buf, len, "inf");
    else if (ns < 10000)
        snprintf(buf, len, "%llu ns", (unsigned long long)ns);
    else if (ns < 10000000)
        snprintf(buf, len, "%.0f us", (double)ns / 1e3);
    else
        snprintf(buf, len, "%.0f ms", (double)ns / 1e6);
}

/* The runtime's own scheduling-latency histogram over the last interval: free to read,
 * and the figure a user would otherwise get from runtime/metrics. */
static void latency_segs(const struct snapshot *prev, const struct snapshot *cur,
                         struct seg *segs, int *n)
{
    static struct go_timehist_interval iv;   /* 12 KB: off the stack */
    char why[128], p50[16], p90[16], p99[16], max[16];
    if (!prev || !cur || !prev->sched_latency.valid || !cur->sched_latency.valid ||
        go_timehist_interval(&cur->sched_latency.layout, prev->sched_latency.raw,
                             cur->sched_latency.raw, &iv, why, sizeof(why)) != 0) {
        seg_add(segs, n, 3, draw_role(THEME_DIM), NULL, "sched latency n/a");
        return;
    }
    if (iv.total == 0) {
        seg_add(segs, n, 3, draw_role(THEME_DIM), NULL, "sched latency: no samples");
        return;
    }
    fmt_ns(p50, sizeof(p50), iv.p50_ns);
    fmt_ns(p90, sizeof(p90), iv.p90_ns);
    fmt_ns(p99, sizeof(p99), iv.p99_ns);
    fmt_ns(max, sizeof(max), iv.max_ns);
    char sh[72];
    snprintf(sh, sizeof(sh), "sched lat p50 %s p99 %s", p50, p99);
    seg_add(segs, n, 3, A_NORMAL, sh,
            "sched latency (runtime, sampled) p50 <%s p90 <%s p99 <%s max <%s, %llu samples",
            p50, p90, p99, max, (unsigned long long)iv.total);
}

static int build_segs(const struct sched_src *src, struct seg *segs)
{
    const struct sched_sample *ss = &src->cur->sched;
    int n = 0;
    char sh[72];
    budget_segs(ss, segs, &n);
    seg_add(segs, &n, 1, A_NORMAL, NULL, "global runq %lld", (long long)ss->runq_global);
    seg_add(segs, &n, 1, A_NORMAL, NULL, "idle Ps %d", (int)ss->idle_p);
    if (ss->needspinning >= 0)
        seg_add(segs, &n, 1, A_NORMAL, NULL, "spinning Ms %d (needspinning %d)",
                (int)ss->spinning_m, (int)ss->needspinning);
    else
        seg_add(segs, &n, 1, A_NORMAL, NULL, "spinning Ms %d", (int)ss->spinning_m);
    seg_add(segs, &n, 1, A_NORMAL, NULL, "threads %lld (%d idle)", (long long)ss->threads,
            (int)ss->idle_threads);
    if (ss->census_valid) {
        const int64_t *c = ss->g_by_class;
        const char *approx = ss->census_sampled ? "~" : "";
        char extra[96] = "";
        size_t used = 0;
        /* Leaked goroutines (Go 1.26+ leak detector) are their own, alarming, class. */
        if (c[GO_G_LEAKED])
            used += (size_t)snprintf(extra, sizeof(extra), ", leaked %lld",
                                     (long long)c[GO_G_LEAKED]);
        if (c[GO_G_PREEMPTED] || c[GO_G_COPYSTACK] || c[GO_G_IDLE])
            snprintf(extra + used, sizeof(extra) - used, ", other %lld",
                     (long long)(c[GO_G_PREEMPTED] + c[GO_G_COPYSTACK] + c[GO_G_IDLE]));
        double born = rates_goroutines_created(src->prev, src->cur);
        char rate[40] = "";
        if (!isnan(born))
            snprintf(rate, sizeof(rate), ", %.0f created/s", born);
        snprintf(sh, sizeof(sh), "goroutines %s%lld", approx, (long long)ss->g_total);
        seg_add(segs, &n, 2, A_NORMAL, sh,
                "goroutines %s%lld (running %lld, runnable %lld, syscall %lld, "
                "waiting %lld%s%s)%s",
                approx, (long long)ss->g_total, (long long)c[GO_G_RUNNING],
                (long long)c[GO_G_RUNNABLE], (long long)c[GO_G_SYSCALL],
                (long long)c[GO_G_WAITING], extra, rate, ss->census_sampled ? " sampled" : "");
    } else {
        seg_add(segs, &n, 2, draw_role(THEME_DIM), NULL, "goroutines n/a");
    }
    char pause[24];
    fmt_pause(pause, sizeof(pause), ss->gc_last_pause_ns);
    if (ss->gc_cycles >= 0)
        seg_add(segs, &n, 2, A_NORMAL, NULL, "GC %lld cycles, last pause %s",
                (long long)ss->gc_cycles, pause);
    else
        seg_add(segs, &n, 2, draw_role(THEME_DIM), NULL, "GC n/a");
    latency_segs(src->prev, src->cur, segs, &n);
    return n;
}

/* Narrow panes take the short forms: two short segments on a line read better than one
 * long one cut at the edge. */
static const char *seg_text(const struct seg *s, int w)
{
    if (s->short_text[0] && (w < 60 || draw_text_width(s->text) > w))
        return s->short_text;
    return s->text;
}

/* Lay the segments out into at most max_lines lines of width w; line[i] = -1 means the
 * segment does not fit. Returns the lines used. */
static int pack_segs(const struct seg *segs, int n, int w, int max_lines, bool breaks,
                     int *line, int *col)
{
    int l = 0, x = 0;
    for (int i = 0; i < n; i++) {
        int tw = draw_text_width(seg_text(&segs[i], w));
        if (tw > w)
            tw = w;
        bool group_break = breaks && i > 0 && segs[i].group != segs[i - 1].group;
        bool newline = x > 0 && (x + 2 + tw > w || group_break);
        if (newline && l + 1 < max_lines) {
            l++;
            x = 0;
        } else if (newline) {
            line[i] = -1;        /* no room left: a later, shorter one may still fit */
            continue;
        }
        line[i] = l;
        col[i] = x ? x + 2 : 0;
        x = col[i] + tw;
    }
    return n > 0 && max_lines > 0 ? l + 1 : 0;
}

static int draw_summary(const struct sched_src *src, int y, int x, int w, int max_lines)
{
    struct seg segs[MAX_SEGS];
    int line[MAX_SEGS], col[MAX_SEGS];
    int n = build_segs(src, segs);
    if (max_lines <= 0 || w <= 0)
        return 0;
    /* One line per topic when it fits, else fill every line. */
    int used = pack_segs(segs, n, w, MAX_SEGS, true, line, col);
    if (used > max_lines)
        used = pack_segs(segs, n, w, max_lines, false, line, col);
    for (int i = 0; i < n; i++) {
        if (line[i] < 0)
            continue;
        const char *t = seg_text(&segs[i], w);
        attron(segs[i].a);
        draw_text(y + line[i], x + col[i], w - col[i], t);
        attroff(segs[i].a);
    }
    return used;
}

static enum theme_role status_role(uint32_t st)
{
    switch (st) {
    case GO_P_RUNNING: return THEME_OK;
    case GO_P_SYSCALL: return THEME_WARN;
    case GO_P_GCSTOP:  return THEME_CRIT;
    default:           return THEME_DIM;
    }
}

/* Runqueue length of P idx at one tick: the max the sampler saw, NAN when unknown. */
static double hist_value(const struct snapshot *s, size_t idx)
{
    if (!s || !s->sched.valid || idx >= s->sched.nps)
        return NAN;
    const struct p_sample *p = &s->sched.ps[idx];
    return p->runq_max > p->runq ? p->runq_max : p->runq;
}

/* Fill vals (oldest first) with up to n ticks of P idx ending at src's snapshot: from
 * the history's rows of figures, a column per tick (src's age counts ticks while it is in
 * the dense ring; past it, and without a history, the one value). */
static size_t hist_values(const struct sched_src *src, size_t idx, double *vals, size_t n)
{
    const struct history_ticks *t = src->h && src->age < history_dense_len(src->h)
                                        ? history_ticks(src->h) : NULL;
    size_t got = t ? history_ticks_series(t, src->age, n, TICK_RUNQ, idx, vals) : 0;
    if (got == 0) {
        vals[0] = hist_value(src->cur, idx);
        return 1;
    }
    return got;
}

/* One scale for every row so that Ps can be compared at a glance. */
static double hist_scale(const struct sched_src *src, size_t width)
{
    double vals[SPARK_MAX], max = 0;
    for (size_t i = 0; i < src->cur->sched.nps; i++) {
        size_t n = hist_values(src, i, vals, width);
        for (size_t k = 0; k < n; k++)
            if (!isnan(vals[k]) && vals[k] > max)
                max = vals[k];
    }
    return max;
}

static void num_cell(int y, const struct draw_col_place *c, double v, int prec, attr_t a,
                     bool selected)
{
    char buf[32];
    bool known = draw_fmt_num(buf, sizeof(buf), v, prec, c->w);
    draw_cell(y, c, buf, selected ? A_NORMAL : known ? a : draw_role(THEME_DIM));
}

/* Whole numbers never lose digits to a narrow column: they get a k/M suffix instead. */
static void int_cell(int y, const struct draw_col_place *c, long long v, attr_t a)
{
    char buf[32];
    draw_fmt_num(buf, sizeof(buf), (double)v, 0, c->w);
    draw_cell(y, c, buf, a);
}

static void draw_row(const struct sched_pane *st, const struct sched_src *src, size_t idx,
                     int y, const struct pane_rect *rc, bool selected, double scale)
{
    const struct p_sample *p = &src->cur->sched.ps[idx];
    const struct draw_col_place *c = st->place;
    attr_t dim = selected ? A_NORMAL : draw_role(THEME_DIM);

    attrset(selected ? draw_role(THEME_SELECTED) : draw_role(THEME_NORMAL));
    if (selected)
        draw_fill(y, rc->x, rc->w, draw_role(THEME_SELECTED));
    int_cell(y, &c[SC_P], p->id, A_NORMAL);
    draw_cell(y, &c[SC_STATUS], rates_p_status_name(p->status),
              selected ? A_NORMAL : draw_role(status_role(p->status)));
    int_cell(y, &c[SC_RUNQ], p->runq, p->runq > 0 && !selected ? A_BOLD : A_NORMAL);
    int_cell(y, &c[SC_MAX], p->runq_max > p->runq ? p->runq_max : p->runq, A_NORMAL);
    num_cell(y, &c[SC_MEAN], p->runq_mean, 1, A_NORMAL, selected);
    draw_cell(y, &c[SC_NEXT], p->runnext ? (draw_utf8() ? "\u2713" : "yes") : "-",
              p->runnext ? A_NORMAL : dim);

    double sched_ps, sys_ps;
    rates_p(src->prev, src->cur, idx, &sched_ps, &sys_ps);
    /* Work waiting on a running P that schedules nothing: the frozen-queue signature. */
    bool stuck = p->status == GO_P_RUNNING && sched_ps == 0.0 && (p->runq > 0 || p->runnext);
    num_cell(y, &c[SC_SCHED], sched_ps, 1, stuck ? draw_role(THEME_WARN) : A_NORMAL,
             selected);
    num_cell(y, &c[SC_SYSC], sys_ps, 1, A_NORMAL, selected);

    if (p->m_id >= 0)
        int_cell(y, &c[SC_M], p->m_id, A_NORMAL);
    else
        draw_cell(y, &c[SC_M], "-", dim);
    if (p->m_tid > 0) {
        int_cell(y, &c[SC_TID], p->m_tid, A_NORMAL);
        int cpu, node;
        placement_p(src->cur, idx, &cpu, &node);
        if (cpu >= 0) {
            /* The CPU takes its NUMA node's colour, as in the threads pane. */
            attr_t ca = node >= 0 && !selected
                        ? draw_role((enum theme_role)(THEME_NODE0 + node % 4)) : A_NORMAL;
            int_cell(y, &c[SC_CPU], cpu, ca);
        } else {
            draw_cell(y, &c[SC_CPU], "n/a", dim);
        }
    } else {
        draw_cell(y, &c[SC_TID], "-", dim);
        draw_cell(y, &c[SC_CPU], "-", dim);
    }
    if (p->curg_goid >= 0)
        int_cell(y, &c[SC_G], p->curg_goid, A_NORMAL);
    else
        draw_cell(y, &c[SC_G], "-", dim);
    if (c[SC_HIST].shown) {
        double vals[SPARK_MAX];
        size_t w = (size_t)(c[SC_HIST].w < SPARK_MAX ? c[SC_HIST].w : SPARK_MAX);
        size_t n = hist_values(src, idx, vals, w);
        draw_sparkline(y, c[SC_HIST].x, c[SC_HIST].w, vals, n, scale > 0 ? scale : 1.0);
    }
    attrset(A_NORMAL);
}

/* Lay out the columns and name the sparkline's scale in its title. */
static double layout_table(struct sched_pane *st, const struct sched_src *src,
                           const struct pane_rect *r)
{
    draw_layout(col_spec, st->place, SC_COUNT, r->x, r->w);
    struct draw_col_place *hc = &st->place[SC_HIST];
    if (!hc->shown)
        return 0;
    double scale = hist_scale(src, (size_t)(hc->w < SPARK_MAX ? hc->w : SPARK_MAX));
    snprintf(st->hist_title, sizeof(st->hist_title), "RUNQ HISTORY max %.0f", scale);
    if (draw_text_width(st->hist_title) > hc->w)
        snprintf(st->hist_title, sizeof(st->hist_title), "HIST max %.0f", scale);
    if (draw_text_width(st->hist_title) > hc->w)
        snprintf(st->hist_title, sizeof(st->hist_title), "HISTORY");
    hc->title = st->hist_title;
    return scale;
}

/* qsort has no context argument in C11; the TUI is single-threaded. */
static const struct sched_sample *reason_sort_src;

static int cmp_reason(const void *pa, const void *pb)
{
    size_t ia = *(const size_t *)pa, ib = *(const size_t *)pb;
    int64_t a = reason_sort_src->by_reason[ia].count;
    int64_t b = reason_sort_src->by_reason[ib].count;
    /* Biggest first; ties keep the runtime's order so rows do not jump around. */
    return a > b ? -1 : a < b ? 1 : ia < ib ? -1 : ia > ib;
}

/* Waiting goroutines by reason, biggest first, in as many columns as fit. */
/* Returns the rows used. */
static int draw_reasons(const struct sched_sample *ss, int y, int x, int w, int rows)
{
    size_t idx[SCHED_MAX_REASONS], n = 0;
    int namew = 0;
    size_t nr = ss->nreasons < SCHED_MAX_REASONS ? ss->nreasons : SCHED_MAX_REASONS;
    for (size_t i = 0; i < nr; i++) {
        if (ss->by_reason[i].count <= 0)
            continue;
        idx[n++] = i;
        int tw = draw_text_width(ss->by_reason[i].name);
        if (tw > namew)
            namew = tw;
    }
    if (n == 0 || rows < 2)
        return 0;
    reason_sort_src = ss;
    qsort(idx, n, sizeof(idx[0]), cmp_reason);
    reason_sort_src = NULL;
    int entw = 8 + 2 + namew;
    int ncol = (w + 3) / (entw + 3);
    if (ncol < 1)
        ncol = 1;
    if (entw > w)
        entw = w;
    size_t fits = (size_t)(rows - 1) * (size_t)ncol;
    size_t shown = n < fits ? n : fits;
    /* Column-major, so the order reads down each column. */
    int per_col = (int)((shown + (size_t)ncol - 1) / (size_t)ncol);
    char head[160], more[64] = "";
    if (shown < n)
        snprintf(more, sizeof(more), ", top %zu of %zu", shown, n);
    snprintf(head, sizeof(head), "Goroutines waiting (%lld), by reason%s%s  "
             "(Enter or 7: where they wait)",
             (long long)ss->g_by_class[GO_G_WAITING], more,
             ss->census_sampled ? " (sampled)" : "");
    attron(draw_role(THEME_TITLE));
    draw_text(y, x, w, head);
    attroff(draw_role(THEME_TITLE));
    for (size_t k = 0; k < shown; k++) {
        const size_t i = idx[k];
        int cx = x + (int)(k / (size_t)per_col) * (entw + 3);
        int cy = y + 1 + (int)(k % (size_t)per_col);
        draw_printf(cy, cx, x + w - cx, "%8lld  %s", (long long)ss->by_reason[i].count,
                    ss->by_reason[i].name);
    }
    return 1 + per_col;
}

static void draw_unavailable(const struct pane_view *v, int y, int end,
                             const struct pane_rect *r)
{
    const struct collector_status *cs = snapshot_status(v->cur, "sched");
    char line[SNAPSHOT_REASON_LEN + 80];
    if (!cs)
        snprintf(line, sizeof(line), "Scheduler data unavailable: the sched collector is "
                 "not running (see --collectors).");
    else
        snprintf(line, sizeof(line), "Scheduler data unavailable: %s.",
                 cs->reason[0] ? cs->reason : "no reason given");
    attron(draw_role(THEME_WARN));
    y += draw_wrap(y, r->x + 1, r->w - 2, end - y, line);
    attroff(draw_role(THEME_WARN));
    if (y + 1 < end) {
        y++;
        draw_wrap(y, r->x + 1, r->w - 2, end - y,
                  "gmptop cannot read the Go scheduler's state (Ps, run queues, "
                  "goroutines) from this process's memory, so this pane stays empty. "
                  "The other panes keep working: press 5 for its threads.");
    }
}

static void draw_footer(const struct sched_pane *st, const struct pane_view *v, int y,
                        const struct pane_rect *r, int list_h)
{
    int x = r->x + 1, w = r->w - 1;
    if (v->cur->sched.dropped > 0) {
        char msg[96];
        unsigned long long n = (unsigned long long)v->cur->sched.dropped;
        snprintf(msg, sizeof(msg), "target memory inconsistent (%llu samples dropped)", n);
        if (draw_text_width(msg) > w)
            snprintf(msg, sizeof(msg), "memory inconsistent (%llu dropped)", n);
        attron(draw_role(THEME_WARN));
        x += draw_text(y, x, w, msg) + 2;
        attroff(draw_role(THEME_WARN));
    }
    if (list_h > 0 && st->nrows > (size_t)list_h && x < r->x + r->w) {
        attron(draw_role(THEME_DIM));
        x += draw_printf(y, x, r->x + r->w - x, "Ps %zu-%zu of %zu (Up/Down)", st->top,
                         st->top + (size_t)list_h - 1, st->nrows) + 2;
        attroff(draw_role(THEME_DIM));
    }
    /* Where the runtime's layouts came from (DWARF, the offset table, or derived from
     * the binary's code): the collector's note starts with it. Right-aligned, dim. */
    const struct collector_status *cs = snapshot_status(v->cur, "sched");
    if (cs && cs->available && strncmp(cs->reason, "layout ", 7) == 0) {
        char src[64];
        size_t n = strcspn(cs->reason, ";");
        snprintf(src, sizeof(src), "%.*s", (int)(n < sizeof(src) - 1 ? n : sizeof(src) - 1),
                 cs->reason);
        int tw = draw_text_width(src);
        if (x + tw < r->x + r->w) {
            attron(draw_role(THEME_DIM));
            draw_text(y, r->x + r->w - tw - 1, tw, src);
            attroff(draw_role(THEME_DIM));
        }
    }
}

static void clamp_scroll(struct sched_pane *st, int list_h)
{
    if (st->sel >= st->nrows)
        st->sel = st->nrows ? st->nrows - 1 : 0;
    if (st->sel < st->top)
        st->top = st->sel;
    if (st->sel >= st->top + (size_t)list_h)
        st->top = st->sel - (size_t)list_h + 1;
    if (st->top + (size_t)list_h > st->nrows)
        st->top = st->nrows > (size_t)list_h ? st->nrows - (size_t)list_h : 0;
}

static void sched_draw(struct pane *p, const struct pane_view *v, const struct pane_rect *r)
{
    struct sched_pane *st = p->priv;
    int y = r->y, end = r->y + r->h;
    st->page = 0;
    if (!v->cur) {
        const char *msg = v->s && v->s->attached
                          ? "Waiting for the first sample..."
                          : "No process attached. Press p to pick one.";
        draw_wrap(y, r->x + 1, r->w - 2, r->h, msg);
        return;
    }
    /* The footer line is drawn last but its row is kept first. */
    int footer_y = -1;
    if (r->h >= 4 && v->cur->sched.dropped > 0)
        footer_y = --end;
    struct sched_src src;
    find_source(v, &src);
    if (!src.cur) {
        st->nrows = 0;
        draw_unavailable(v, y, end, r);
        if (footer_y >= 0)
            draw_footer(st, v, footer_y, r, 0);
        return;
    }
    const struct sched_sample *ss = &src.cur->sched;
    st->nrows = ss->nps;
    if (src.age > 0 && y < end) {
        const struct collector_status *cs = snapshot_status(v->cur, "sched");
        double old = (double)(v->cur->meta.mono_ns - src.cur->meta.mono_ns) / 1e9;
        char line[SNAPSHOT_REASON_LEN + 80];
        if (r->w < 60)
            snprintf(line, sizeof(line), "%s; data %.1f s old",
                     v->cur->meta.target_gone ? "process exited" : "read dropped", old);
        else if (v->cur->meta.target_gone)
            snprintf(line, sizeof(line), "The process has exited; this is its last good "
                     "read, %.1f s before.", old);
        else
            snprintf(line, sizeof(line), "This read was dropped (%s); showing the last "
                     "good one, %.1f s old.",
                     cs && cs->reason[0] ? cs->reason : "no reason given", old);
        attron(draw_role(THEME_WARN));
        y += draw_wrap(y, r->x + 1, r->w - 1, end - y > 8 ? 2 : 1, line);
        attroff(draw_role(THEME_WARN));
    }

    /* The summary gets what all the P rows leave (narrow panes need more lines for
     * it), but at least three lines while two P rows still fit. */
    size_t want_rows = ss->nps ? ss->nps : 1;
    int table_min = 1 + (int)(want_rows < 2 ? want_rows : 2);
    int sum_max = end - y - 1 - (int)want_rows, sum_cap = r->w < 60 ? 6 : 4;
    int sum_floor = end - y - table_min < 3 ? end - y - table_min : 3;
    if (sum_max < sum_floor)
        sum_max = sum_floor;
    sum_max = sum_max > sum_cap ? sum_cap : sum_max < 1 ? 1 : sum_max;
    if (y < end)
        y += draw_summary(&src, y, r->x + 1, r->w - 1, sum_max < end - y ? sum_max : end - y);
    if (end - y >= 1 + (int)want_rows + 2)
        y++;                     /* a blank line when everything still fits */
    if (y >= end)
        return;

    double scale = layout_table(st, &src, r);
    draw_table_header(y++, st->place, SC_COUNT, -1, false, r->x, r->w);
    int list_h = end - y;
    if (list_h > (int)ss->nps)
        list_h = (int)ss->nps;
    if (list_h < 0)
        list_h = 0;
    /* Leave room at the bottom for the scroll hint when rows are cut. */
    if (list_h > 1 && list_h < (int)ss->nps && footer_y < 0 && end - y == list_h) {
        footer_y = --end;
        list_h--;
    }
    st->page = list_h;
    st->list_y = y;
    clamp_scroll(st, list_h > 0 ? list_h : 1);
    for (int i = 0; i < list_h && st->top + (size_t)i < ss->nps; i++) {
        size_t idx = st->top + (size_t)i;
        draw_row(st, &src, idx, y++, r, idx == st->sel, scale);
    }
    if (ss->nps == 0 && y < end)
        draw_text(y++, r->x + 1, r->w - 1, "No Ps read.");

    if (ss->census_valid && end - y >= 4) {
        y++;
        y += draw_reasons(ss, y, r->x + 1, r->w - 2, end - y);
    }
    /* Rows to spare (a tall terminal): the history, taller and longer. */
    if (src.h && end - y >= 6 && list_h == (int)ss->nps)
        sched_charts_draw(src.h, src.age, y + 1, r->x + 1, r->w - 2, end - y - 1);
    if (footer_y >= 0)
        draw_footer(st, v, footer_y, r, list_h);
}

static void move_sel(struct sched_pane *st, long delta)
{
    if (st->nrows == 0)
        return;
    st->sel = draw_list_move(st->sel, delta, st->nrows);
}

static bool sched_key(struct pane *p, const struct pane_view *v, int ch)
{
    (void)v;
    struct sched_pane *st = p->priv;
    long delta;
    if (!draw_list_nav(ch, st->page > 1 ? st->page - 1 : 1, (long)st->nrows, &delta))
        return false;
    move_sel(st, delta);
    return true;
}

/* A click on a P's row selects it. */
static bool sched_mouse(struct pane *p, const struct pane_view *v,
                        const struct mouse_event *ev, const struct pane_rect *r)
{
    (void)v;
    (void)r;
    struct sched_pane *st = p->priv;
    long row = ev->y - st->list_y;
    if (ev->what != MOUSE_CLICK || row < 0 || row >= st->page ||
        st->top + (size_t)row >= st->nrows)
        return false;
    st->sel = st->top + (size_t)row;
    return true;
}

static void sched_reset(struct pane *p)
{
    struct sched_pane *st = p->priv;
    st->sel = st->top = 0;
    st->nrows = 0;
}

static void sched_destroy(struct pane *p)
{
    free(p->priv);
    p->priv = NULL;
}

int pane_sched_init(struct pane *p)
{
    struct sched_pane *st = calloc(1, sizeof(*st));
    if (!st)
        return -ENOMEM;
    p->tab = "Sched";
    p->short_tab = "Sch";
    p->draw = sched_draw;
    p->key = sched_key;
    p->mouse = sched_mouse;
    p->reset = sched_reset;
    p->destroy = sched_destroy;
    p->priv = st;
    p->which = PANE_SCHED;
    return 0;
}
