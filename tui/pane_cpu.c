/* pane_cpu: the on-CPU profile: which functions and goroutines were on the CPU, from the
 * kernel's cpu-clock samples of every thread of the program (collectors/cpuprof.c), with
 * the hottest stacks through a function on Enter (cpu_stacks.c) and W to write the last
 * seconds out as a pprof profile and folded stacks. */
#include "tui/pane.h"
#include "tui/cpu_tui.h"
#include "tui/goroutines_tui.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ncurses.h>

#include "tui/draw.h"

#define EXPORT_SECONDS 30.0      /* what W writes: long enough for pprof's -top to mean it */

enum fcol { FC_SELF, FC_TOTAL, FC_KIND, FC_FUNC, FC_FILE, FC_NCOLS };

static const struct draw_col_spec fcol_spec[FC_NCOLS] = {
    [FC_SELF]  = { .title = "SELF%", .width = 7, .min_width = 7, .right = true },
    [FC_TOTAL] = { .title = "TOTAL%", .width = 7, .min_width = 7, .rank = 2, .right = true },
    [FC_KIND]  = { .title = "KIND", .width = 9, .min_width = 9, .rank = 3 },
    [FC_FUNC]  = { .title = "FUNCTION", .width = 40, .min_width = 14, .rank = 1,
                   .flex = true },
    [FC_FILE]  = { .title = "FILE", .width = 20, .min_width = 20, .rank = 4 },
};

enum ocol { OC_GOID, OC_PCT, OC_WHERE, OC_START, OC_THREAD, OC_P, OC_CPU, OC_NCOLS };

static const struct draw_col_spec ocol_spec[OC_NCOLS] = {
    [OC_GOID]   = { .title = "GOID", .width = 8, .min_width = 8, .right = true },
    [OC_PCT]    = { .title = "%", .width = 5, .min_width = 5, .right = true },
    [OC_WHERE]  = { .title = "WHERE", .width = 36, .min_width = 12, .rank = 1, .flex = true },
    [OC_START]  = { .title = "STARTED AS", .width = 28, .min_width = 10, .rank = 3,
                    .flex = true },
    [OC_THREAD] = { .title = "THREAD", .width = 7, .min_width = 7, .rank = 2, .right = true },
    [OC_P]      = { .title = "P", .width = 3, .min_width = 3, .rank = 4, .right = true },
    [OC_CPU]    = { .title = "CPU", .width = 4, .min_width = 4, .rank = 4, .right = true },
};

struct cpu_state {
    struct draw_col_place fplace[FC_NCOLS], oplace[OC_NCOLS];
    uint8_t order[CPUPROF_TOP_MAX];    /* the window's functions in the order shown */
    size_t nrows, sel, top;
    const char *sel_func;              /* pooled: the bar follows the function, not the row */
    bool minute;                       /* the window: the last minute, else the interval */
    bool by_total;                     /* sorted by TOTAL%, else SELF% */
    int page, head_y;
    bool stacks_open;                  /* Enter: the hottest stacks through sel_func */
    int stacks_scroll;
    char ask[256];                     /* our word on the last W until the answer comes */
    int64_t ask_until_ns;              /* shown while the snapshot is this old or older */
};

static double share(int64_t part, int64_t whole)
{
    return whole > 0 ? 100.0 * (double)part / (double)whole : 0.0;
}

/* "1,234": sample counts grow past what reads at a glance without separators. */
static void fmt_count(char *buf, size_t len, int64_t v)
{
    char digits[32];
    int n = snprintf(digits, sizeof(digits), "%lld", (long long)(v < 0 ? -v : v));
    size_t o = 0;
    if (v < 0 && o + 1 < len)
        buf[o++] = '-';
    for (int i = 0; i < n && o + 1 < len; i++) {
        if (i && (n - i) % 3 == 0 && o + 2 < len)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o < len ? o : len - 1] = '\0';
}

static const struct cpuprof_func *window_funcs(const struct cpu_state *st,
                                               const struct cpuprof_sample *cp, size_t *n,
                                               int64_t *samples)
{
    *n = st->minute ? cp->nminute : cp->ntop;
    *samples = st->minute ? cp->minute_samples : cp->samples;
    return st->minute ? cp->minute : cp->top;
}

static int64_t sort_key(const struct cpu_state *st, const struct cpuprof_func *f)
{
    return st->by_total ? f->total : f->self;
}

/* The collector keeps self descending; by total is a stable insertion sort of the few. */
static void build_rows(struct cpu_state *st, const struct cpuprof_sample *cp)
{
    size_t n;
    int64_t samples;
    const struct cpuprof_func *f = window_funcs(st, cp, &n, &samples);
    st->nrows = n > CPUPROF_TOP_MAX ? CPUPROF_TOP_MAX : n;
    for (size_t i = 0; i < st->nrows; i++) {
        size_t j = i;
        for (; j > 0 && sort_key(st, &f[st->order[j - 1]]) < sort_key(st, &f[i]); j--)
            st->order[j] = st->order[j - 1];
        st->order[j] = (uint8_t)i;
    }
    for (size_t i = 0; st->sel_func && i < st->nrows; i++)
        if (strcmp(f[st->order[i]].func, st->sel_func) == 0) {
            st->sel = i;
            return;
        }
    if (st->sel >= st->nrows)
        st->sel = st->nrows ? st->nrows - 1 : 0;
}

static const struct cpuprof_func *row_func(const struct cpu_state *st,
                                           const struct cpuprof_sample *cp, size_t row)
{
    size_t n;
    int64_t samples;
    const struct cpuprof_func *f = window_funcs(st, cp, &n, &samples);
    return row < st->nrows ? &f[st->order[row]] : NULL;
}

/* One line of the summary, wrapped into what is left of its rows; returns rows used. */
static int summary_line(int y, const struct pane_rect *r, int *budget, attr_t a,
                        const char *text)
{
    if (*budget <= 0 || !text[0])
        return 0;
    attron(a);
    int n = draw_wrap(y, r->x + 1, r->w - 2, *budget < 2 ? *budget : 2, text);
    attroff(a);
    *budget -= n;
    return n;
}

static void fmt_rate_line(char *line, size_t len, const struct cpuprof_sample *cp)
{
    char now[32], minute[32];
    fmt_count(now, sizeof(now), cp->samples);
    fmt_count(minute, sizeof(minute), cp->minute_samples);
    /* Per-thread events tax each context switch of the target: said where they are used. */
    bool per_thread = strcmp(cp->events, "per-thread") == 0;
    snprintf(line, len, "on-CPU profile: %.0f Hz per thread, %d threads%s, %s samples in "
             "the last %.1f s (%s over %.0f s)", cp->hz, (int)cp->threads,
             per_thread ? " (one event each)" : "", now, cp->interval_s, minute, cp->minute_s);
}

/* "user 80%  gc 3% ... in kernel 2%": whose work the CPU time was. */
static void fmt_kind_line(char *line, size_t len, const struct cpuprof_sample *cp)
{
    size_t used = 0;
    line[0] = '\0';
    if (cp->samples <= 0) {
        snprintf(line, len, "no samples in the last %.1f s: no thread of the program ran",
                 cp->interval_s);
        return;
    }
    for (int k = 0; k < CPUPROF_KIND_COUNT && used < len; k++) {
        snprintf(line + used, len - used, "%s%s %.0f%%", k ? "  " : "", cpuprof_kind_name(k),
                 share(cp->by_kind[k], cp->samples));
        used = strlen(line);
    }
    if (used < len)
        snprintf(line + used, len - used, "  in kernel %.0f%%", share(cp->kernel, cp->samples));
    used = strlen(line);
    if (cp->unattributed > 0 && used < len)
        snprintf(line + used, len - used, "  no goroutine %.0f%%",
                 share(cp->unattributed, cp->samples));
    used = strlen(line);
    if (cp->lost_total > 0 && used < len)
        snprintf(line + used, len - used, "  lost %llu since attach (full rings)",
                 (unsigned long long)cp->lost_total);
}

/* What W answered: our own word until the snapshot after the request, then the
 * profiler's (which stays until the next request). */
static const char *export_line(const struct cpu_state *st, const struct pane_view *v,
                               const struct cpuprof_sample *cp, attr_t *a)
{
    bool ours = st->ask[0] && (v->cur->meta.mono_ns <= st->ask_until_ns || !cp ||
                               !cp->export_msg[0]);
    const char *m = ours ? st->ask : cp ? cp->export_msg : "";
    *a = strncmp(m, "wrote", 5) == 0 ? draw_role(THEME_OK)
         : ours && st->ask_until_ns != INT64_MAX ? A_NORMAL : draw_role(THEME_WARN);
    return m;
}

static int draw_summary(const struct cpu_state *st, const struct pane_view *v,
                        const struct cpuprof_sample *cp, int y, const struct pane_rect *r)
{
    char line[400];
    /* A short screen keeps most of its rows for the table the summary is about. */
    int y0 = y, budget = r->h >= 16 ? r->h - 8 : r->h >= 6 ? r->h / 3 : 1;
    fmt_rate_line(line, sizeof(line), cp);
    y += summary_line(y, r, &budget, draw_role(THEME_NORMAL), line);
    fmt_kind_line(line, sizeof(line), cp);
    y += summary_line(y, r, &budget, cp->samples > 0 ? draw_role(THEME_NORMAL)
                                                      : draw_role(THEME_DIM), line);
    y += summary_line(y, r, &budget, draw_role(THEME_WARN), cp->note);
    attr_t a;
    const char *m = export_line(st, v, cp, &a);
    y += summary_line(y, r, &budget, a, m);
    return y - y0;
}

static void draw_func_row(const struct cpu_state *st, int y, const struct pane_rect *r,
                          const struct cpuprof_func *f, int64_t samples, bool selected)
{
    const struct draw_col_place *c = st->fplace;
    attr_t dim = selected ? A_NORMAL : draw_role(THEME_DIM);
    char buf[64];
    attrset(selected ? draw_role(THEME_SELECTED) : draw_role(THEME_NORMAL));
    if (selected)
        draw_fill(y, r->x, r->w, draw_role(THEME_SELECTED));
    snprintf(buf, sizeof(buf), "%.1f", share(f->self, samples));
    draw_cell(y, &c[FC_SELF], buf, f->self ? A_NORMAL : dim);
    snprintf(buf, sizeof(buf), "%.1f", share(f->total, samples));
    draw_cell(y, &c[FC_TOTAL], buf, A_NORMAL);
    draw_cell(y, &c[FC_KIND], cpuprof_kind_name(f->kind),
              f->kind == CPUPROF_KIND_USER ? A_NORMAL : dim);
    draw_cell(y, &c[FC_FUNC], f->func, A_NORMAL);
    draw_cell(y, &c[FC_FILE], f->file[0] ? cpu_file_base(f->file) : "?",
              f->file[0] ? A_NORMAL : dim);
    attrset(A_NORMAL);
}

static int draw_funcs(struct cpu_state *st, const struct cpuprof_sample *cp, int y, int h,
                      const struct pane_rect *r)
{
    size_t n;
    int64_t samples;
    window_funcs(st, cp, &n, &samples);
    int y0 = y;
    if (h >= 4) {
        attron(draw_role(THEME_TITLE));
        char win[48];
        if (!st->minute)
            snprintf(win, sizeof(win), "last %.1f s", cp->interval_s);
        else if (cp->minute_s < 59.5)
            snprintf(win, sizeof(win), "last minute (%.0f s so far)", cp->minute_s);
        else
            snprintf(win, sizeof(win), "last minute");
        draw_printf(y++, r->x + 1, r->w - 2, "Functions on the CPU, window: %s, by %s", win,
                    st->by_total ? "TOTAL%" : "SELF%");
        attroff(draw_role(THEME_TITLE));
    }
    int list_h = h - (y - y0) - 1;
    if (list_h < 1)
        return y - y0;
    st->page = list_h;
    draw_layout(fcol_spec, st->fplace, FC_NCOLS, r->x, r->w);
    st->head_y = y;
    draw_table_header(y++, st->fplace, FC_NCOLS, st->by_total ? FC_TOTAL : FC_SELF, true,
                      r->x, r->w);
    if (st->sel < st->top)
        st->top = st->sel;
    if (st->sel >= st->top + (size_t)list_h)
        st->top = st->sel - (size_t)list_h + 1;
    if (st->top + (size_t)list_h > st->nrows)
        st->top = st->nrows > (size_t)list_h ? st->nrows - (size_t)list_h : 0;
    for (int i = 0; i < list_h && st->top + (size_t)i < st->nrows; i++) {
        size_t idx = st->top + (size_t)i;
        draw_func_row(st, y++, r, row_func(st, cp, idx), samples, idx == st->sel);
    }
    if (st->nrows == 0) {
        attron(draw_role(THEME_DIM));
        draw_text(y++, r->x + 1, r->w - 2, "No function was on the CPU in this window.");
        attroff(draw_role(THEME_DIM));
    }
    return y - y0;
}

static void draw_g_row(const struct cpu_state *st, int y, const struct cpuprof_g *g,
                       int64_t samples)
{
    const struct draw_col_place *c = st->oplace;
    attr_t dim = draw_role(THEME_DIM);
    char buf[64];
    if (g->goid < 0)
        snprintf(buf, sizeof(buf), "system");
    else
        snprintf(buf, sizeof(buf), "%lld", (long long)g->goid);
    draw_cell(y, &c[OC_GOID], buf, g->goid < 0 ? dim : A_NORMAL);
    snprintf(buf, sizeof(buf), "%.1f", share(g->samples, samples));
    draw_cell(y, &c[OC_PCT], buf, A_NORMAL);
    draw_cell(y, &c[OC_WHERE], g->where && g->where[0] ? g->where : "-",
              g->where && g->where[0] ? A_NORMAL : dim);
    draw_cell(y, &c[OC_START], g->start_func && g->start_func[0] ? g->start_func : "-",
              g->start_func && g->start_func[0] ? A_NORMAL : dim);
    snprintf(buf, sizeof(buf), "%d", (int)g->tid);
    draw_cell(y, &c[OC_THREAD], buf, A_NORMAL);
    snprintf(buf, sizeof(buf), "%d", (int)g->p);
    draw_cell(y, &c[OC_P], g->p >= 0 ? buf : "-", g->p >= 0 ? A_NORMAL : dim);
    snprintf(buf, sizeof(buf), "%d", (int)g->cpu);
    draw_cell(y, &c[OC_CPU], buf, A_NORMAL);
}

/* The goroutines on the CPU in the interval, under the functions they ran. */
static void draw_gs(struct cpu_state *st, const struct cpuprof_sample *cp, int y, int h,
                    const struct pane_rect *r)
{
    int end = y + h;
    attron(draw_role(THEME_TITLE));
    draw_printf(y++, r->x + 1, r->w - 2, "On the CPU now: goroutines in the last %.1f s",
                cp->interval_s);
    attroff(draw_role(THEME_TITLE));
    if (y >= end)
        return;
    draw_layout(ocol_spec, st->oplace, OC_NCOLS, r->x, r->w);
    draw_table_header(y++, st->oplace, OC_NCOLS, OC_PCT, true, r->x, r->w);
    for (size_t i = 0; i < cp->ngs && y < end; i++)
        draw_g_row(st, y++, &cp->gs[i], cp->samples);
    if (cp->ngs == 0 && y < end) {
        attron(draw_role(THEME_DIM));
        draw_text(y, r->x + 1, r->w - 2, "No goroutine was on the CPU.");
        attroff(draw_role(THEME_DIM));
    }
}

static void draw_hints(const struct cpu_state *st, int y, const struct pane_rect *r)
{
    attron(draw_role(THEME_DIM));
    draw_printf(y, r->x + 1, r->w - 2,
                r->w >= 78 ? "m window: %s  s/t sort: %s  Enter stacks  W write pprof + folded"
                           : "m %s  s/t %s  Enter  W write",
                st->minute ? "minute" : "interval", st->by_total ? "total" : "self");
    attroff(draw_role(THEME_DIM));
}

/* The profile did not run this tick: the collector's reason, and what W said if asked. */
static void draw_unavailable(const struct cpu_state *st, const struct pane_view *v,
                             const struct pane_rect *r)
{
    const struct collector_status *cs = snapshot_status(v->cur, "cpuprof");
    char line[400];
    /* Paused because no pane showed it: live, this pane's refresh starts it again. */
    if (cs && !cs->available && !v->s->source.tick && v->rewind_ns == 0 &&
        strncmp(cs->reason, CPUPROF_PAUSED_PREFIX, strlen(CPUPROF_PAUSED_PREFIX)) == 0) {
        snprintf(line, sizeof(line), "on-CPU profile: starting (the profiler samples while "
                 "this pane or the goroutines pane is open, and for %.0f s after)",
                 v->s->cfg.profile_linger_s);
        attron(draw_role(THEME_DIM));
        draw_wrap(r->y, r->x + 1, r->w - 2, r->h, line);
        attroff(draw_role(THEME_DIM));
        return;
    }
    /* A recording keeps the profiler's status line but not its samples: the status then
     * says it ran, which is no reason. */
    if (cs && cs->available)
        snprintf(line, sizeof(line), "on-CPU profile n/a: %s (the profiler ran: %s)",
                 v->s->source.tick ? "a recording does not keep its samples"
                                   : "no samples in this snapshot", cs->reason);
    else
        snprintf(line, sizeof(line), "on-CPU profile n/a: %s",
                 cs && cs->reason[0] ? cs->reason
                 : cs ? "not taken"
                      : "not collected (left out by --collectors, or the recording predates "
                        "the on-CPU profile)");
    attron(draw_role(THEME_WARN));
    int n = draw_wrap(r->y, r->x + 1, r->w - 2, r->h > 1 ? r->h - 1 : 1, line);
    attroff(draw_role(THEME_WARN));
    attr_t a;
    const char *m = export_line(st, v, NULL, &a);
    if (m[0] && n < r->h) {
        attron(a);
        draw_wrap(r->y + n, r->x + 1, r->w - 2, 1, m);
        attroff(a);
    }
}

static void cpu_draw(struct pane *p, const struct pane_view *v, const struct pane_rect *r)
{
    struct cpu_state *st = p->priv;
    int y = r->y, end = r->y + r->h;
    st->head_y = -1;
    st->page = 0;
    if (r->h < 1 || r->w < 4)
        return;
    if (!v->cur) {
        draw_wrap(y, r->x + 1, r->w - 2, r->h,
                  v->s->attached ? "Waiting for the first sample..."
                                 : "No process attached. Press p to pick one.");
        return;
    }
    const struct cpuprof_sample *cp = v->cur->cpuprof;
    if (!cp || !cp->valid) {
        draw_unavailable(st, v, r);
        return;
    }
    build_rows(st, cp);
    if (st->stacks_open) {
        cpu_stacks_draw(cp, st->sel_func, r, &st->stacks_scroll);
        return;
    }
    y += draw_summary(st, v, cp, y, r);
    bool hint = end - y >= 8;
    int body = end - y - (hint ? 1 : 0);
    /* The goroutines get up to 2/5 of a tall enough screen, and what the functions
     * leave (after a blank row) when they are few. */
    int f_h = body, g_h = 0;
    if (body >= 10) {
        int g_need = 2 + (cp->ngs ? cp->ngs : 1), f_need = 3 + (int)(st->nrows ? st->nrows : 1);
        g_h = g_need < body * 2 / 5 ? g_need : body * 2 / 5;
        g_h = g_h < 3 ? 3 : g_h;
        f_h = body - g_h;
        if (f_need < f_h) {
            f_h = f_need;
            g_h = body - f_h;
        }
    }
    if (f_h > 0)
        draw_funcs(st, cp, y, f_h, r);
    if (g_h > 0)
        draw_gs(st, cp, y + f_h, g_h, r);
    if (hint)
        draw_hints(st, end - 1, r);
}

static void move_sel(struct cpu_state *st, const struct pane_view *v, long delta)
{
    const struct cpuprof_sample *cp = v->cur ? v->cur->cpuprof : NULL;
    if (!cp || !cp->valid || st->nrows == 0)
        return;
    st->sel = draw_list_move(st->sel, delta, st->nrows);
    st->sel_func = row_func(st, cp, st->sel)->func;
}

/* W: the profiler writes the last EXPORT_SECONDS at the next tick, into files named for
 * the program and the time in the current directory; the next snapshot says how it went. */
static void request_export(struct cpu_state *st, const struct pane_view *v)
{
    const struct cpuprof_sample *cp = v->cur ? v->cur->cpuprof : NULL;
    st->ask_until_ns = INT64_MAX;      /* a refusal stays until the next W */
    if (v->s->source.tick) {
        snprintf(st->ask, sizeof(st->ask), "W (write the profile) is n/a in a replay: "
                 "it needs the live profiler's samples");
        return;
    }
    if (!v->s->attached || v->s->target_gone || !cp || !cp->valid) {
        snprintf(st->ask, sizeof(st->ask), "W (write the profile) is n/a: the on-CPU "
                 "profile is not running");
        return;
    }
    char stamp[32], pb[96], folded[96];
    time_t now = time(NULL);
    struct tm tm;
    strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", localtime_r(&now, &tm));
    snprintf(pb, sizeof(pb), "gmptop-%d-%s.pb.gz", (int)v->s->target.pid, stamp);
    snprintf(folded, sizeof(folded), "gmptop-%d-%s.folded", (int)v->s->target.pid, stamp);
    session_request_profile(v->ctl, pb, folded, EXPORT_SECONDS);
    snprintf(st->ask, sizeof(st->ask), "writing the last %.0f s to %s and %s at the next "
             "sample...", EXPORT_SECONDS, pb, folded);
    st->ask_until_ns = v->cur->meta.mono_ns;
}

static bool open_stacks(struct cpu_state *st, const struct pane_view *v)
{
    const struct cpuprof_sample *cp = v->cur ? v->cur->cpuprof : NULL;
    if (!cp || !cp->valid || st->nrows == 0)
        return false;
    st->sel_func = row_func(st, cp, st->sel)->func;
    st->stacks_open = true;
    st->stacks_scroll = 0;
    return true;
}

static bool cpu_key(struct pane *p, const struct pane_view *v, int ch)
{
    struct cpu_state *st = p->priv;
    if (st->stacks_open) {
        if (!goroutine_stack_key(ch, &st->stacks_scroll))
            st->stacks_open = false;
        return true;
    }
    long delta;
    if (draw_list_nav(ch, st->page > 1 ? st->page - 1 : 1, (long)st->nrows, &delta)) {
        move_sel(st, v, delta);
        return true;
    }
    switch (ch) {
    case 'm':
        st->minute = !st->minute;
        return true;
    case 's':
        st->by_total = false;
        return true;
    case 't':
        st->by_total = true;
        return true;
    case '<': case ',': case '>': case '.': case KEY_F(6):
        st->by_total = !st->by_total;
        return true;
    case 'W':
        request_export(st, v);
        return true;
    case '\n': case '\r': case KEY_ENTER:
        return open_stacks(st, v);
    default:
        return false;
    }
}

static bool cpu_grabs_keys(const struct pane *p)
{
    const struct cpu_state *st = p->priv;
    return st->stacks_open;
}

static bool cpu_mouse(struct pane *p, const struct pane_view *v, const struct mouse_event *ev,
                      const struct pane_rect *r)
{
    (void)r;
    struct cpu_state *st = p->priv;
    if (ev->what != MOUSE_CLICK || st->head_y < 0 || st->stacks_open)
        return false;
    struct draw_table_hit hit = draw_table_click(ev->y, ev->x, st->head_y, st->fplace,
                                                 FC_NCOLS, st->page, st->top, st->nrows);
    if (hit.what == DRAW_HIT_COLUMN && (hit.col == FC_SELF || hit.col == FC_TOTAL)) {
        st->by_total = hit.col == FC_TOTAL;
        return true;
    }
    if (hit.what != DRAW_HIT_ROW)
        return false;
    move_sel(st, v, (long)hit.row - (long)st->sel);
    return true;
}

static void cpu_reset(struct pane *p)
{
    struct cpu_state *st = p->priv;
    st->sel = st->top = st->nrows = 0;
    st->sel_func = NULL;
    st->stacks_open = false;
    st->ask[0] = '\0';
    st->head_y = -1;
}

static void cpu_destroy(struct pane *p)
{
    free(p->priv);
    p->priv = NULL;
}

int pane_cpu_init(struct pane *p)
{
    struct cpu_state *st = calloc(1, sizeof(*st));
    if (!st)
        return -ENOMEM;
    st->head_y = -1;
    p->tab = "CPU";
    p->short_tab = "CPU";
    p->draw = cpu_draw;
    p->key = cpu_key;
    p->mouse = cpu_mouse;
    p->grabs_keys = cpu_grabs_keys;
    p->reset = cpu_reset;
    p->destroy = cpu_destroy;
    p->priv = st;
    p->which = PANE_CPU;
    return 0;
}
