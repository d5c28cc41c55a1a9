/* pane_cores: per-core IPC, L3 and dTLB misses, switches and migrations, grouped by NUMA
 * node and L3 domain, with the target's threads and Ps on the core they last ran on;
 * 't' switches to per-thread counters (tiptop style). */
#include "tui/pane.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ncurses.h>

#include "tui/pane_settings.h"
#include "tui/draw.h"
#include "model/cores_metrics.h"
#include "model/placement.h"
#include "model/rates.h"

enum ccol {
    CC_CPU, CC_UTIL, CC_IPC, CC_L3, CC_L3MPKI, CC_DTLBMPKI, CC_DTLBCYC, CC_CSW, CC_MIGR,
    CC_MUX, CC_TARGET, CC_COUNT
};

/* In per-thread mode the first column is the TID and TARGET shows CPU, P and name. */
static const struct draw_col_spec col_spec[CC_COUNT] = {
    [CC_CPU]      = { .title = "CPU", .width = 7, .min_width = 4, .right = true },
    [CC_UTIL]     = { .title = "UTIL%", .width = 12, .min_width = 5, .rank = 1 },
    [CC_IPC]      = { .title = "IPC", .width = 5, .min_width = 5, .rank = 2, .right = true },
    [CC_L3]       = { .title = "L3MISS%", .width = 7, .min_width = 7, .rank = 3, .right = true },
    [CC_L3MPKI]   = { .title = "L3MPKI", .width = 7, .min_width = 7, .rank = 6, .right = true },
    [CC_DTLBMPKI] = { .title = "TLBMPKI", .width = 7, .min_width = 7, .rank = 7, .right = true },
    [CC_DTLBCYC]  = { .title = "TLB/cyc", .width = 8, .min_width = 8, .rank = 4, .right = true },
    [CC_CSW]      = { .title = "CSW/s", .width = 8, .min_width = 8, .rank = 2, .right = true },
    [CC_MIGR]     = { .title = "MIGR/s", .width = 7, .min_width = 7, .rank = 5, .right = true },
    [CC_MUX]      = { .title = "MUX", .width = 4, .min_width = 4, .rank = 8, .right = true },
    [CC_TARGET]   = { .title = "TARGET THREADS (*running) / Ps", .width = 20,
                      .min_width = 8, .rank = 1, .flex = true },
};

/* A display line: a group heading (cpu < 0) or a CPU / thread row. */
struct cline {
    int idx;                  /* row index into the sample, -1 for a heading */
    int node, l3;             /* for headings */
};

struct cores_pane {
    struct draw_col_place place[CC_COUNT];
    struct cores_thresholds thr;
    char cfg_msg[200];
    struct cline *lines;
    size_t nlines, cap;
    struct cores_metrics *m;
    size_t mcap;
    size_t top;
    int page;
};

/* printf onto the end of buf, cut at its size. */
static void appendf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void appendf(char *buf, size_t size, const char *fmt, ...)
{
    size_t n = strlen(buf);
    if (n + 1 >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + n, size - n, fmt, ap);
    va_end(ap);
}

static int grow(void **p, size_t *cap, size_t n, size_t elem)
{
    if (n <= *cap)
        return 0;
    size_t c = *cap ? *cap : 64;
    while (c < n)
        c *= 2;
    void *q = realloc(*p, c * elem);
    if (!q)
        return -ENOMEM;
    *p = q;
    *cap = c;
    return 0;
}

/* qsort has no context in C11; the TUI is single-threaded. */
static const struct cores_sample *sort_sample;
static const struct cores_metrics *sort_metrics;

static int cmp_cpu_row(const void *a, const void *b)
{
    const struct cores_cpu *x = &sort_sample->cpus[((const struct cline *)a)->idx];
    const struct cores_cpu *y = &sort_sample->cpus[((const struct cline *)b)->idx];
    if (x->node != y->node)
        return x->node < y->node ? -1 : 1;
    if (x->l3_domain != y->l3_domain)
        return x->l3_domain < y->l3_domain ? -1 : 1;
    return (x->cpu > y->cpu) - (x->cpu < y->cpu);
}

/* Busiest thread first; unknown last. */
static int cmp_thread_row(const void *a, const void *b)
{
    int i = ((const struct cline *)a)->idx, j = ((const struct cline *)b)->idx;
    double x = sort_metrics[i].util_pct, y = sort_metrics[j].util_pct;
    if (isnan(x) != isnan(y))
        return isnan(x) ? 1 : -1;
    if (!isnan(x) && x != y)
        return x > y ? -1 : 1;
    pid_t p = sort_sample->threads[i].tid, q = sort_sample->threads[j].tid;
    return (p > q) - (p < q);
}

static int build_lines(struct cores_pane *st, const struct pane_view *v, bool threads)
{
    const struct cores_sample *s = &v->cur->cores;
    size_t n = threads ? s->nthreads : s->ncpus;
    st->nlines = 0;
    if (grow((void **)&st->m, &st->mcap, n ? n : 1, sizeof(*st->m)) < 0
        || grow((void **)&st->lines, &st->cap, 2 * n + 1, sizeof(*st->lines)) < 0)
        return -ENOMEM;
    if (threads)
        for (size_t i = 0; i < n; i++)
            cores_metrics_thread(v->prev, v->cur, i, &st->m[i]);
    else
        cores_metrics_cpus(v->prev, v->cur, st->m);
    struct cline *rows = st->lines + n + 1;   /* sorted rows, then headings merged in */
    for (size_t i = 0; i < n; i++)
        rows[i] = (struct cline){ (int)i, 0, 0 };
    sort_sample = s;
    sort_metrics = st->m;
    qsort(rows, n, sizeof(*rows), threads ? cmp_thread_row : cmp_cpu_row);
    int node = -2, l3 = -2;
    for (size_t i = 0; i < n; i++) {
        if (!threads) {
            const struct cores_cpu *c = &s->cpus[rows[i].idx];
            if (c->node != node || c->l3_domain != l3) {
                node = c->node;
                l3 = c->l3_domain;
                st->lines[st->nlines++] = (struct cline){ -1, node, l3 };
            }
        }
        st->lines[st->nlines++] = rows[i];
    }
    return 0;
}

static attr_t level_attr(enum cores_level l)
{
    switch (l) {
    case CORES_LEVEL_CRIT: return draw_role(THEME_CRIT) | A_BOLD;
    case CORES_LEVEL_WARN: return draw_role(THEME_WARN);
    default:               return A_NORMAL;
    }
}

static void num_cell(int y, const struct draw_col_place *c, double v, int prec, attr_t a)
{
    char buf[32];
    bool known = draw_fmt_num(buf, sizeof(buf), v, prec, c->w);
    draw_cell(y, c, buf, known ? a : draw_role(THEME_DIM));
}

/* "P0 P3 1234 1240 ..." : the target's Ps and threads whose last CPU is cpu. */
static void target_text(const struct snapshot *cur, int cpu, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    int others = 0;
    for (size_t i = 0; cur->sched.valid && i < cur->sched.nps; i++) {
        const struct p_sample *p = &cur->sched.ps[i];
        int pc, pn;
        if (p->m_tid <= 0)
            continue;
        placement_p(cur, i, &pc, &pn);
        if (pc == cpu && used + 8 < len)
            used += (size_t)snprintf(buf + used, len - used, "%sP%d", used ? " " : "",
                                     (int)p->id);
    }
    for (size_t i = 0; i < cur->nthreads; i++) {
        const struct thread_sample *t = &cur->threads[i];
        if (!(t->have & THREAD_HAVE_CPU) || t->cpu != cpu)
            continue;
        if (used + 24 < len)
            used += (size_t)snprintf(buf + used, len - used, "%s%s%d", used ? " " : "",
                                     t->state == 'R' ? "*" : "", (int)t->tid);
        else
            others++;
    }
    if (others && used + 12 < len)
        snprintf(buf + used, len - used, " +%d", others);
}

static void metric_cells(const struct cores_pane *st, int y, const struct cores_metrics *m)
{
    const struct draw_col_place *c = st->place;
    if (c[CC_UTIL].shown) {
        if (c[CC_UTIL].w >= 10 && !isnan(m->util_pct)) {
            draw_bar(y, c[CC_UTIL].x, c[CC_UTIL].w - 6, m->util_pct);
            draw_printf(y, c[CC_UTIL].x + c[CC_UTIL].w - 5, 5, "%5.1f", m->util_pct);
        } else {
            num_cell(y, &c[CC_UTIL], m->util_pct, 1, A_NORMAL);
        }
    }
    num_cell(y, &c[CC_IPC], m->ipc, 2, A_NORMAL);
    num_cell(y, &c[CC_L3], m->l3_miss_ratio * 100.0, 1,
             level_attr(cores_level_l3(m->l3_miss_ratio, &st->thr)));
    num_cell(y, &c[CC_L3MPKI], m->l3_mpki, 2, A_NORMAL);
    num_cell(y, &c[CC_DTLBMPKI], m->dtlb_mpki, 2, A_NORMAL);
    if (!isnan(m->dtlb_per_cycle) && m->dtlb_per_cycle > 0 && m->dtlb_per_cycle < 0.01) {
        /* Typical values are 1e-6..1e-3: fixed decimals would show them all as 0. */
        char buf[16];
        snprintf(buf, sizeof(buf), "%.1e", m->dtlb_per_cycle);
        draw_cell(y, &c[CC_DTLBCYC], buf,
                  level_attr(cores_level_dtlb(m->dtlb_per_cycle, &st->thr)));
    } else {
        num_cell(y, &c[CC_DTLBCYC], m->dtlb_per_cycle, 5,
                 level_attr(cores_level_dtlb(m->dtlb_per_cycle, &st->thr)));
    }
    num_cell(y, &c[CC_CSW], m->ctx_switches_per_s, 0, A_NORMAL);
    num_cell(y, &c[CC_MIGR], m->migrations_per_s, 1, A_NORMAL);
    if (m->multiplexed && !isnan(m->running_pct)) {
        char buf[16];
        snprintf(buf, sizeof(buf), "%.0f%%", m->running_pct);
        draw_cell(y, &c[CC_MUX], buf, draw_role(THEME_WARN));
    }
}

static void draw_heading(const struct cores_pane *st, const struct snapshot *cur, int y,
                         const struct pane_rect *r, const struct cline *l)
{
    (void)st;
    char cpus[96] = "";
    size_t used = 0;
    int run_lo = -1, prev = -2;
    /* The CPUs of this group as a kernel-style list: rows are sorted by CPU within it. */
    for (size_t i = 0; i <= cur->cores.ncpus; i++) {
        const struct cores_cpu *c = i < cur->cores.ncpus ? &cur->cores.cpus[i] : NULL;
        bool in = c && c->node == l->node && c->l3_domain == l->l3;
        if (in && c->cpu == prev + 1) {
            prev = c->cpu;
            continue;
        }
        if (run_lo >= 0 && used + 16 < sizeof(cpus))
            used += (size_t)(prev == run_lo
                ? snprintf(cpus + used, sizeof(cpus) - used, "%s%d", used ? "," : "", run_lo)
                : snprintf(cpus + used, sizeof(cpus) - used, "%s%d-%d", used ? "," : "",
                           run_lo, prev));
        run_lo = in ? c->cpu : -1;
        prev = in ? c->cpu : -2;
    }
    char node[16] = "node ?", l3[16] = "L3 ?";
    if (l->node >= 0)
        snprintf(node, sizeof(node), "node %d", l->node);
    if (l->l3 >= 0)
        snprintf(l3, sizeof(l3), "L3 #%d", l->l3);
    int nr = l->node >= 0 ? l->node % 4 : 0;
    attron(draw_role((enum theme_role)(THEME_NODE0 + nr)) | A_BOLD);
    draw_printf(y, r->x, r->w, "%s  %s%s  CPUs %s", node, l3,
                cur->cores.l3_per_domain ? " (L3 figures for the whole domain)" : "", cpus);
    attroff(draw_role((enum theme_role)(THEME_NODE0 + nr)) | A_BOLD);
}

static void draw_cpu_row(const struct cores_pane *st, const struct snapshot *cur, int y,
                         int idx)
{
    const struct cores_cpu *c = &cur->cores.cpus[idx];
    const struct cores_metrics *m = &st->m[idx];
    char buf[256];
    snprintf(buf, sizeof(buf), "%d", c->cpu);
    draw_cell(y, &st->place[CC_CPU], buf, A_BOLD);
    metric_cells(st, y, m);
    target_text(cur, c->cpu, buf, sizeof(buf));
    draw_cell(y, &st->place[CC_TARGET], buf, A_NORMAL);
}

static void draw_thread_row(const struct cores_pane *st, const struct snapshot *cur, int y,
                            int idx)
{
    const struct cores_thread *t = &cur->cores.threads[idx];
    char buf[128];
    snprintf(buf, sizeof(buf), "%d", (int)t->tid);
    draw_cell(y, &st->place[CC_CPU], buf, A_BOLD);
    metric_cells(st, y, &st->m[idx]);
    const struct thread_sample *ts = snapshot_find_thread(cur, t->tid);
    char text[CORES_TEXT_LEN + 64] = "";
    if (ts && (ts->have & THREAD_HAVE_CPU))
        appendf(text, sizeof(text), "cpu %d ", ts->cpu);
    for (size_t i = 0; cur->sched.valid && i < cur->sched.nps; i++)
        if (cur->sched.ps[i].m_tid == t->tid)
            appendf(text, sizeof(text), "P%d ", (int)cur->sched.ps[i].id);
    if (ts)
        appendf(text, sizeof(text), "%s", ts->name);
    /* A thread with no counters at all says why in place of the figures. */
    if (t->c[CORES_EV_CTX_SWITCHES].err && st->m[idx].why[0])
        appendf(text, sizeof(text), "  (%s)", st->m[idx].why);
    else if (isnan(st->m[idx].ctx_switches_per_s))
        appendf(text, sizeof(text), "  (new: rates from the next refresh)");
    draw_cell(y, &st->place[CC_TARGET], text, A_NORMAL);
}

/* Headline, mode line and thresholds; returns the rows used. */
static int draw_top(const struct cores_pane *st, const struct pane_view *v,
                    const struct pane_rect *r, int y, int end, bool threads)
{
    const struct cores_sample *s = &v->cur->cores;
    int y0 = y;
    if (s->headline[0] && y < end) {
        char line[CORES_TEXT_LEN + 128] = "";
        bool all_hw_gone = s->headline_ev == CORES_EV_CYCLES;
        appendf(line, sizeof(line), "%s%s%s", all_hw_gone ? "Hardware columns n/a: " : "",
                s->headline, all_hw_gone ? ". Switches and migrations are software "
                "counters and stay live." : "");
        attron(draw_role(THEME_WARN));
        y += draw_wrap(y, r->x + 1, r->w - 2, end - y > 8 ? 3 : 1, line);
        attroff(draw_role(THEME_WARN));
    }
    if (threads && s->thread_note[0] && y < end) {
        attron(draw_role(THEME_WARN));
        y += draw_wrap(y, r->x + 1, r->w - 2, end - y > 8 ? 2 : 1, s->thread_note);
        attroff(draw_role(THEME_WARN));
    }
    if (y < end && end - y > 4) {
        attron(draw_role(THEME_DIM));
        draw_printf(y++, r->x + 1, r->w - 2,
                    "%s: %s  |  L3 miss > %g%% red, > %g%% yellow; dTLB/cycle > %g red",
                    threads ? "per thread" : "per core", s->pmu[0] ? s->pmu : "PMU unknown",
                    st->thr.l3_red_pct, st->thr.l3_yellow_pct, st->thr.dtlb_red);
        attroff(draw_role(THEME_DIM));
    }
    if (st->cfg_msg[0] && y < end && end - y > 4) {
        attron(draw_role(THEME_WARN));
        draw_printf(y++, r->x + 1, r->w - 2, "gmptoprc: %s", st->cfg_msg);
        attroff(draw_role(THEME_WARN));
    }
    return y - y0;
}

static void draw_status(const struct cores_pane *st, const struct pane_view *v, int y,
                        const struct pane_rect *r, bool threads)
{
    const struct cores_sample *s = &v->cur->cores;
    size_t rows = threads ? s->nthreads : s->ncpus;
    double us = (double)s->read_ns / 1e3;
    attron(draw_role(THEME_DIM));
    draw_printf(y, r->x + 1, r->w - 1,
                "%zu %s  %d perf fds (limit %ld)  read %.0f us (%.1f us/CPU)  %s%s",
                rows, threads ? "threads" : "CPUs", s->fds, s->fd_limit, us,
                s->ncpus ? us / (double)s->ncpus : 0.0,
                threads ? "t: per core" : "t: per thread",
                st->top > 0 || st->top + (size_t)st->page < st->nlines ? "  Up/Down scroll" : "");
    attroff(draw_role(THEME_DIM));
}

static void cores_draw(struct pane *p, const struct pane_view *v, const struct pane_rect *r)
{
    struct cores_pane *st = p->priv;
    int y = r->y, end = r->y + r->h;
    if (!v->cur) {
        draw_wrap(y, r->x + 1, r->w - 2, r->h, v->s && v->s->attached
                  ? "Waiting for the first sample..." : "No process attached. Press p to pick one.");
        return;
    }
    if (!v->cur->cores.valid) {
        const struct collector_status *cs = snapshot_status(v->cur, "cores");
        char line[SNAPSHOT_REASON_LEN + 64];
        snprintf(line, sizeof(line), "Core counters unavailable: %s",
                 cs ? (cs->reason[0] ? cs->reason : "no reason given")
                    : "the cores collector is not running (--collectors)");
        attron(draw_role(THEME_WARN));
        draw_wrap(y, r->x + 1, r->w - 2, r->h, line);
        attroff(draw_role(THEME_WARN));
        return;
    }
    bool threads = v->cur->cores.per_thread;
    y += draw_top(st, v, r, y, end, threads);
    if (build_lines(st, v, threads) < 0) {
        draw_text(y, r->x + 1, r->w - 1, "out of memory");
        return;
    }
    draw_layout(col_spec, st->place, CC_COUNT, r->x, r->w);
    /* Per thread a row is a thread: the specs' titles name the per-CPU rows. */
    if (threads) {
        st->place[CC_CPU].title = "TID";
        st->place[CC_TARGET].title = "CPU  P  NAME";
    }
    if (y >= end)
        return;
    draw_table_header(y++, st->place, CC_COUNT, -1, false, r->x, r->w);
    bool status_row = end - y >= 4;
    int list_h = end - y - (status_row ? 1 : 0);
    st->page = list_h > 0 ? list_h : 0;
    if (st->top + (size_t)st->page > st->nlines)
        st->top = st->nlines > (size_t)st->page ? st->nlines - (size_t)st->page : 0;
    for (int i = 0; i < list_h && st->top + (size_t)i < st->nlines; i++) {
        const struct cline *l = &st->lines[st->top + (size_t)i];
        if (l->idx < 0)
            draw_heading(st, v->cur, y + i, r, l);
        else if (threads)
            draw_thread_row(st, v->cur, y + i, l->idx);
        else
            draw_cpu_row(st, v->cur, y + i, l->idx);
    }
    if (st->nlines == 0 && y < end)
        draw_text(y, r->x + 1, r->w - 1, threads
                  ? (v->cur->cores.thread_note[0] ? v->cur->cores.thread_note
                     : "Per-thread counters start at the next refresh.")
                  : "No online CPU could be read.");
    if (status_row)
        draw_status(st, v, end - 1, r, threads);
}

static bool cores_key(struct pane *p, const struct pane_view *v, int ch)
{
    struct cores_pane *st = p->priv;
    size_t page = st->page > 1 ? (size_t)st->page - 1 : 1;
    switch (ch) {
    case 't':
        session_set_per_thread_counters(v->ctl, !session_per_thread_counters(v->s));
        st->top = 0;
        return true;
    case KEY_UP: case 'k':
        st->top = st->top ? st->top - 1 : 0;
        return true;
    case KEY_DOWN: case 'j':
        st->top++;
        return true;
    case KEY_PPAGE:
        st->top = st->top > page ? st->top - page : 0;
        return true;
    case KEY_NPAGE:
        st->top += page;
        return true;
    case KEY_HOME: case 'g':
        st->top = 0;
        return true;
    case KEY_END: case 'G':
        st->top = st->nlines;
        return true;
    default:
        return false;
    }
}

static void cores_reset(struct pane *p)
{
    struct cores_pane *st = p->priv;
    st->top = 0;
}

static void cores_destroy(struct pane *p)
{
    struct cores_pane *st = p->priv;
    if (st) {
        free(st->lines);
        free(st->m);
    }
    free(st);
    p->priv = NULL;
}

int pane_cores_init(struct pane *p)
{
    struct cores_pane *st = calloc(1, sizeof(*st));
    if (!st)
        return -ENOMEM;
    pane_settings_load_cores(&st->thr, st->cfg_msg, sizeof(st->cfg_msg));
    p->tab = "Cores";
    p->short_tab = "Core";
    p->draw = cores_draw;
    p->key = cores_key;
    p->reset = cores_reset;
    p->destroy = cores_destroy;
    p->priv = st;
    p->which = PANE_CORES;
    return 0;
}
