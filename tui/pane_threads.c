/* pane_threads: one row per OS thread of the target, with per-second scheduling figures. */
#include "tui/pane.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ncurses.h>

#include "tui/draw.h"
#include "model/rates.h"

enum tcol {
    TC_TID, TC_NAME, TC_STATE, TC_CPU, TC_CPUPCT, TC_MIGR, TC_VCSW, TC_IVCSW, TC_RUNDLY,
    TC_AFFINITY, TC_COUNT
};

static const struct draw_col_spec col_spec[TC_COUNT] = {
    [TC_TID]      = { .title = "TID", .width = 7, .min_width = 7, .right = true },
    [TC_NAME]     = { .title = "NAME", .width = 15, .min_width = 6, .rank = 2, .flex = true },
    [TC_STATE]    = { .title = "S", .width = 1, .min_width = 1, .rank = 3 },
    [TC_CPU]      = { .title = "CPU", .width = 3, .min_width = 3, .rank = 5, .right = true },
    [TC_CPUPCT]   = { .title = "CPU%", .width = 6, .min_width = 6, .rank = 1, .right = true },
    [TC_MIGR]     = { .title = "MIGR/s", .width = 6, .min_width = 6, .rank = 6, .right = true },
    [TC_VCSW]     = { .title = "VCSW/s", .width = 7, .min_width = 7, .rank = 8, .right = true },
    [TC_IVCSW]    = { .title = "IVCSW/s", .width = 7, .min_width = 7, .rank = 7, .right = true },
    [TC_RUNDLY]   = { .title = "RUNDLY ms/s", .width = 11,
                      .min_width = 11, .rank = 4, .right = true },
    [TC_AFFINITY] = { .title = "AFFINITY", .width = 8, .min_width = 5, .rank = 9, .flex = true },
};

/* Text columns sort ascending by default, figures descending (biggest first). */
static const bool natural_desc[TC_COUNT] = {
    [TC_CPU] = true, [TC_CPUPCT] = true, [TC_MIGR] = true, [TC_VCSW] = true,
    [TC_IVCSW] = true, [TC_RUNDLY] = true,
};

struct trow {
    const struct thread_sample *t;   /* valid only while drawing */
    pid_t tid;
    struct thread_rates r;
};

struct threads_state {
    struct draw_col_place place[TC_COUNT];
    struct trow *rows;
    size_t nrows, cap;
    int sort_col;
    bool desc;
    size_t sel, top;
    pid_t sel_tid;
    bool follow;              /* the user moved the bar: keep it on sel_tid */
    int page;                 /* visible rows at the last draw */
    int head_y;               /* screen row of the column titles at the last draw, or -1 */
};

/* qsort has no context argument in C11; the TUI is single-threaded. */
static const struct threads_state *sort_state;

static int cmp_num(double a, double b)
{
    /* Unknown figures sort last whichever the direction: handled by the caller. */
    return a < b ? -1 : a > b ? 1 : 0;
}

static double row_num(const struct trow *r, int col)
{
    const struct thread_sample *t = r->t;
    switch (col) {
    case TC_CPU:      return (t->have & THREAD_HAVE_CPU) ? t->cpu : NAN;
    case TC_CPUPCT:   return r->r.cpu_pct;
    case TC_MIGR:     return r->r.migrations_per_s;
    case TC_VCSW:     return r->r.nvcsw_per_s;
    case TC_IVCSW:    return r->r.nivcsw_per_s;
    case TC_RUNDLY:   return r->r.run_delay_ms_per_s;
    default:          return NAN;
    }
}

static int row_cmp(const void *pa, const void *pb)
{
    const struct trow *a = pa, *b = pb;
    const struct threads_state *st = sort_state;
    int c = 0;
    switch (st->sort_col) {
    case TC_TID:
        c = cmp_num(a->tid, b->tid);
        break;
    case TC_NAME:
        c = strcmp(a->t->name, b->t->name);
        break;
    case TC_STATE:
        c = cmp_num(a->t->state, b->t->state);
        break;
    case TC_AFFINITY: {
        bool ka = a->t->have & THREAD_HAVE_AFFINITY, kb = b->t->have & THREAD_HAVE_AFFINITY;
        if (ka != kb)
            return ka ? -1 : 1;
        c = ka ? strcmp(a->t->affinity, b->t->affinity) : 0;
        break;
    }
    default: {
        double x = row_num(a, st->sort_col), y = row_num(b, st->sort_col);
        if (isnan(x) != isnan(y))
            return isnan(x) ? 1 : -1;
        c = isnan(x) ? 0 : cmp_num(x, y);
        break;
    }
    }
    if (st->desc)
        c = -c;
    return c ? c : cmp_num(a->tid, b->tid);
}

static int ensure_rows(struct threads_state *st, size_t n)
{
    if (n <= st->cap)
        return 0;
    size_t cap = st->cap ? st->cap : 64;
    while (cap < n)
        cap *= 2;
    struct trow *r = realloc(st->rows, cap * sizeof(*r));
    if (!r)
        return -ENOMEM;
    st->rows = r;
    st->cap = cap;
    return 0;
}

static void build_rows(struct threads_state *st, const struct pane_view *v)
{
    st->nrows = 0;
    if (!v->cur || ensure_rows(st, v->cur->nthreads) < 0)
        return;
    for (size_t i = 0; i < v->cur->nthreads; i++) {
        struct trow *r = &st->rows[st->nrows++];
        r->t = &v->cur->threads[i];
        r->tid = r->t->tid;
        rates_thread(v->prev, v->cur, r->t, &r->r);
    }
    sort_state = st;
    qsort(st->rows, st->nrows, sizeof(*st->rows), row_cmp);
    sort_state = NULL;
    /* Keep the selection on the same thread when the order changes, once the user
     * has picked one; until then it stays on the top row. */
    for (size_t i = 0; st->follow && i < st->nrows; i++) {
        if (st->rows[i].tid == st->sel_tid) {
            st->sel = i;
            return;
        }
    }
    if (st->sel >= st->nrows)
        st->sel = st->nrows ? st->nrows - 1 : 0;
    st->sel_tid = st->nrows ? st->rows[st->sel].tid : 0;
}

/* Draw one figure; unknown ones are a dim "n/a", never 0. */
static void num_cell(int y, const struct draw_col_place *c, double v, int prec, bool selected)
{
    char buf[32];
    bool known = draw_fmt_num(buf, sizeof(buf), v, prec, c->w);
    draw_cell(y, c, buf, selected || known ? A_NORMAL : draw_role(THEME_DIM));
}

static void draw_row(struct threads_state *st, const struct pane_view *v, int y,
                     const struct pane_rect *rc, const struct trow *row, bool selected)
{
    const struct thread_sample *t = row->t;
    const struct draw_col_place *c = st->place;
    attr_t na = selected ? A_NORMAL : draw_role(THEME_DIM);
    char buf[32];

    attrset(selected ? draw_role(THEME_SELECTED) : draw_role(THEME_NORMAL));
    if (selected)
        draw_fill(y, rc->x, rc->w, draw_role(THEME_SELECTED));
    snprintf(buf, sizeof(buf), "%d", (int)t->tid);
    draw_cell(y, &c[TC_TID], buf, A_NORMAL);
    draw_cell(y, &c[TC_NAME], t->name[0] ? t->name : "?", A_NORMAL);
    buf[0] = t->state ? t->state : '?';
    buf[1] = '\0';
    attr_t sa = A_NORMAL;
    if (!selected && t->state == 'R')
        sa = draw_role(THEME_OK);
    else if (!selected && t->state == 'D')
        sa = draw_role(THEME_WARN);
    draw_cell(y, &c[TC_STATE], buf, sa);
    if (t->have & THREAD_HAVE_CPU) {
        /* The CPU number takes its NUMA node's colour so node changes stand out. */
        const struct cpu_sample *cs = snapshot_find_cpu(v->cur, t->cpu);
        attr_t ca = A_NORMAL;
        if (cs && cs->node >= 0 && !selected)
            ca = draw_role((enum theme_role)(THEME_NODE0 + cs->node % 4));
        snprintf(buf, sizeof(buf), "%d", t->cpu);
        draw_cell(y, &c[TC_CPU], buf, ca);
    } else {
        draw_cell(y, &c[TC_CPU], "n/a", na);
    }
    num_cell(y, &c[TC_CPUPCT], row->r.cpu_pct, 1, selected);
    num_cell(y, &c[TC_MIGR], row->r.migrations_per_s, 1, selected);
    num_cell(y, &c[TC_VCSW], row->r.nvcsw_per_s, 1, selected);
    num_cell(y, &c[TC_IVCSW], row->r.nivcsw_per_s, 1, selected);
    num_cell(y, &c[TC_RUNDLY], row->r.run_delay_ms_per_s, 2, selected);
    if (t->have & THREAD_HAVE_AFFINITY)
        draw_cell(y, &c[TC_AFFINITY], t->affinity, A_NORMAL);
    else
        draw_cell(y, &c[TC_AFFINITY], "n/a", na);
    attrset(A_NORMAL);
}

static void threads_draw(struct pane *p, const struct pane_view *v,
                         const struct pane_rect *r)
{
    struct threads_state *st = p->priv;
    int y = r->y, end = r->y + r->h;
    if (!v->cur) {
        const char *msg = v->s->attached ? "Waiting for the first sample..."
                                         : "No process attached. Press p to pick one.";
        draw_wrap(y, r->x + 1, r->w - 2, r->h, msg);
        st->page = 0;
        st->head_y = -1;
        return;
    }
    const struct collector_status *cs = snapshot_status(v->cur, "threads");
    if (cs && !cs->available && y < end) {
        attron(draw_role(THEME_WARN));
        char line[SNAPSHOT_REASON_LEN + 40];
        snprintf(line, sizeof(line), "threads collector unavailable: %s",
                 cs->reason[0] ? cs->reason : "no reason given");
        y += draw_wrap(y, r->x, r->w, end - y > 3 ? 2 : 1, line);
        attroff(draw_role(THEME_WARN));
    }
    build_rows(st, v);
    /* One row for the column titles, one at the bottom for the count and sort. */
    bool status_row = end - y >= 5;
    int list_h = end - y - 1 - (status_row ? 1 : 0);
    if (list_h < 1)
        list_h = 1;
    st->page = list_h;

    draw_layout(col_spec, st->place, TC_COUNT, r->x, r->w);
    st->head_y = y;
    draw_table_header(y++, st->place, TC_COUNT, st->sort_col, st->desc, r->x, r->w);

    if (st->sel < st->top)
        st->top = st->sel;
    if (st->sel >= st->top + (size_t)list_h)
        st->top = st->sel - (size_t)list_h + 1;
    if (st->top + (size_t)list_h > st->nrows)
        st->top = st->nrows > (size_t)list_h ? st->nrows - (size_t)list_h : 0;
    for (int i = 0; i < list_h && y < end && st->top + (size_t)i < st->nrows; i++) {
        size_t idx = st->top + (size_t)i;
        draw_row(st, v, y++, r, &st->rows[idx], idx == st->sel);
    }
    if (st->nrows == 0 && y < end)
        draw_text(y, r->x + 1, r->w - 1,
                  v->cur->meta.target_gone ? "The process has exited." : "No threads.");
    if (status_row) {
        attron(draw_role(THEME_DIM));
        draw_printf(end - 1, r->x + 1, r->w - 1,
                    r->w >= 60 ? "%zu threads  sorted by %s %s  (< > sort, I invert)"
                               : "%zu threads  sort: %s %s",
                    st->nrows, col_spec[st->sort_col].title,
                    st->desc ? "desc" : "asc");
        attroff(draw_role(THEME_DIM));
    }
}

static void move_sel(struct threads_state *st, long delta)
{
    if (st->nrows == 0)
        return;
    st->sel = draw_list_move(st->sel, delta, st->nrows);
    st->sel_tid = st->rows[st->sel].tid;
    st->follow = true;
}

static void set_sort(struct threads_state *st, int col)
{
    st->sort_col = (col + TC_COUNT) % TC_COUNT;
    st->desc = natural_desc[st->sort_col];
}

static bool threads_key(struct pane *p, const struct pane_view *v, int ch)
{
    (void)v;
    struct threads_state *st = p->priv;
    long delta;
    if (draw_list_nav(ch, st->page > 1 ? st->page - 1 : 1, (long)st->nrows, &delta)) {
        move_sel(st, delta);
        return true;
    }
    switch (ch) {
    case '>': case '.': case KEY_F(6):
        set_sort(st, st->sort_col + 1);
        return true;
    case '<': case ',':
        set_sort(st, st->sort_col - 1);
        return true;
    case 'I':
        st->desc = !st->desc;
        return true;
    default:
        return false;
    }
}

/* A click on a column title sorts by it (again: the other way, as in htop); on a row it
 * selects the thread. */
static bool threads_mouse(struct pane *p, const struct pane_view *v,
                          const struct mouse_event *ev, const struct pane_rect *r)
{
    (void)v;
    (void)r;
    struct threads_state *st = p->priv;
    if (ev->what != MOUSE_CLICK || st->head_y < 0)
        return false;
    struct draw_table_hit hit = draw_table_click(ev->y, ev->x, st->head_y, st->place, TC_COUNT,
                                                 st->page, st->top, st->nrows);
    if (hit.what == DRAW_HIT_COLUMN) {
        if (hit.col == st->sort_col)
            st->desc = !st->desc;
        else
            set_sort(st, hit.col);
        return true;
    }
    if (hit.what != DRAW_HIT_ROW)
        return false;
    move_sel(st, (long)hit.row - (long)st->sel);
    return true;
}

static void threads_reset(struct pane *p)
{
    struct threads_state *st = p->priv;
    st->sel = st->top = 0;
    st->sel_tid = 0;
    st->follow = false;
    st->nrows = 0;
    st->head_y = -1;
}

static void threads_destroy(struct pane *p)
{
    struct threads_state *st = p->priv;
    if (st)
        free(st->rows);
    free(st);
    p->priv = NULL;
}

int pane_threads_init(struct pane *p)
{
    struct threads_state *st = calloc(1, sizeof(*st));
    if (!st)
        return -ENOMEM;
    st->head_y = -1;
    set_sort(st, TC_CPUPCT);
    p->tab = "Threads";
    p->short_tab = "Thr";
    p->draw = threads_draw;
    p->key = threads_key;
    p->mouse = threads_mouse;
    p->reset = threads_reset;
    p->destroy = threads_destroy;
    p->priv = st;
    p->which = PANE_THREADS;
    return 0;
}
