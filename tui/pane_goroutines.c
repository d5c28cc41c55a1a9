/* pane_goroutines: goroutines grouped by stack, status and wait reason (the goroutine
 * profile's grouped view, of a program that was never asked for one), with a search
 * filter and each group's whole stack on Enter (goroutine_stack.c). */
#include "tui/pane.h"
#include "tui/goroutines_tui.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ncurses.h>

#include "model/goroutine_groups.h"
#include "model/history.h"
#include "tui/draw.h"

enum gcol { GC_COUNT_, GC_GROWTH, GC_STATUS, GC_REASON, GC_WAIT, GC_CPU, GC_WHERE, GC_CREATED,
            GC_NCOLS };

static const struct draw_col_spec col_spec[GC_NCOLS] = {
    [GC_COUNT_]  = { .title = "COUNT", .width = 7, .min_width = 7, .right = true },
    [GC_GROWTH]  = { .title = "GROWTH/s", .width = 9, .min_width = 9, .rank = 3, .right = true },
    [GC_CPU]     = { .title = "CPU%", .width = 5, .min_width = 5, .rank = 4, .right = true },
    [GC_STATUS]  = { .title = "STATUS", .width = 8, .min_width = 8, .rank = 4 },
    [GC_REASON]  = { .title = "WAIT REASON", .width = 14, .min_width = 8, .rank = 2 },
    [GC_WAIT]    = { .title = "MAX WAIT", .width = 8, .min_width = 8, .rank = 5, .right = true },
    [GC_WHERE]   = { .title = "WHERE", .width = 30, .min_width = 12, .rank = 1, .flex = true },
    [GC_CREATED] = { .title = "CREATED BY", .width = 26, .min_width = 10, .rank = 6,
                     .flex = true },
};

/* Text columns sort ascending by default, figures descending (biggest first). */
static const bool natural_desc[GC_NCOLS] = {
    [GC_COUNT_] = true, [GC_GROWTH] = true, [GC_CPU] = true, [GC_WAIT] = true,
};

struct grow {
    const struct goroutine_group *g;   /* valid only while drawing */
    double growth;                     /* per second over the growth window; NAN unknown */
    double cpu_pct;                    /* of the on-CPU profile's samples; NAN no profile */
};

struct goroutines_state {
    struct draw_col_place place[GC_NCOLS];
    struct grow *rows;
    size_t nrows, cap;
    int sort_col;
    bool desc;
    size_t sel, top;
    struct goroutine_group sel_id;     /* identity of the selected group (stack, status,
                                        * reason); follow keeps the bar on it */
    bool follow;
    int page, head_y;
    char filter[64];
    bool searching;
    bool stack_open;                   /* Enter: the selected group's whole stack */
    int stack_scroll;
    double window_s;                   /* the growth window actually used, seconds */
};

/* How far back growth is measured: long enough to see through a refresh's noise. */
#define GROWTH_WINDOW_S 10.0

static const struct goroutines_state *sort_state;

/* The older refresh growth is measured against: the newest whose groups were read at
 * least GROWTH_WINDOW_S before cur's, else the oldest there is. */
static const struct goroutines_sample *older_refresh(const struct pane_view *v, double *dt)
{
    const struct goroutines_sample *cur = &v->cur->goroutines, *best = NULL;
    const struct history *h = v->h;
    *dt = NAN;
    if (h && history_get(h, 0) == v->cur) {
        for (size_t age = 1; age < history_len(h); age++) {
            const struct snapshot *s = history_get(h, age);
            if (!s || s->meta.pid != v->cur->meta.pid || !s->goroutines.valid)
                break;
            if (s->goroutines.refreshed_ns >= cur->refreshed_ns)
                continue;
            best = &s->goroutines;
            if ((double)(cur->refreshed_ns - best->refreshed_ns) / 1e9 >= GROWTH_WINDOW_S)
                break;
        }
    } else if (v->prev && v->prev->goroutines.valid &&
               v->prev->goroutines.refreshed_ns < cur->refreshed_ns) {
        best = &v->prev->goroutines;
    }
    if (best)
        *dt = (double)(cur->refreshed_ns - best->refreshed_ns) / 1e9;
    return best;
}

static const char *where_func(const struct goroutine_group *g)
{
    const struct gframe *u = gstack_user_frame(g->stack);
    return u ? u->func : g->stack->nframes ? "(runtime)" : "";
}

static int cmp_num(double a, double b) { return a < b ? -1 : a > b ? 1 : 0; }

static double row_num(const struct grow *r, int col)
{
    switch (col) {
    case GC_COUNT_: return (double)r->g->count;
    case GC_GROWTH: return r->growth;
    case GC_CPU:    return r->cpu_pct;
    case GC_WAIT:   return r->g->max_wait_s;
    default:        return NAN;
    }
}

static int row_cmp(const void *pa, const void *pb)
{
    const struct grow *a = pa, *b = pb;
    const struct goroutines_state *st = sort_state;
    int c = 0;
    switch (st->sort_col) {
    case GC_STATUS:
        c = strcmp(goroutine_group_status_name(a->g), goroutine_group_status_name(b->g));
        break;
    case GC_REASON:
        c = strcmp(a->g->wait_reason, b->g->wait_reason);
        break;
    case GC_WHERE:
        c = strcmp(where_func(a->g), where_func(b->g));
        break;
    case GC_CREATED:
        c = strcmp(a->g->stack->created_by.func, b->g->stack->created_by.func);
        break;
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
    return c ? c : cmp_num((double)b->g->count, (double)a->g->count);
}

/* Whether the group shows under the search text: where it waits, who created it, its
 * wait reason or status, or any frame's function or file. */
static bool matches(const struct goroutine_group *g, const char *f)
{
    if (!f[0])
        return true;
    const struct gstack *st = g->stack;
    if (strstr(g->wait_reason, f) || strstr(goroutine_group_status_name(g), f) ||
        strstr(st->created_by.func, f) || strstr(st->start.func, f))
        return true;
    for (size_t i = 0; i < st->nframes; i++)
        if (strstr(st->frames[i].func, f) || strstr(st->frames[i].file, f))
            return true;
    return false;
}

static bool same_group(const struct goroutine_group *a, const struct goroutine_group *b)
{
    return a->stack == b->stack && a->status == b->status && a->wait_reason == b->wait_reason;
}

/* The group's share of the samples the on-CPU profile took in the tick the groups were
 * read: which group burns the CPU, beside which one piles up. */
static double group_cpu_pct(const struct goroutines_sample *gs, const struct goroutine_group *g)
{
    if (gs->oncpu_samples < 0)
        return NAN;
    return gs->oncpu_samples ? 100.0 * (double)g->on_cpu_samples / (double)gs->oncpu_samples
                             : 0.0;
}

static void build_rows(struct goroutines_state *st, const struct pane_view *v)
{
    st->nrows = 0;
    const struct goroutines_sample *gs = &v->cur->goroutines;
    if (!gs->valid)
        return;
    if (gs->ngroups > st->cap) {
        struct grow *r = realloc(st->rows, gs->ngroups * sizeof(*r));
        if (!r)
            return;
        st->rows = r;
        st->cap = gs->ngroups;
    }
    double dt;
    const struct goroutines_sample *older = older_refresh(v, &dt);
    st->window_s = dt;
    for (size_t i = 0; i < gs->ngroups; i++) {
        const struct goroutine_group *g = &gs->groups[i];
        if (!g->stack || !matches(g, st->filter))
            continue;
        st->rows[st->nrows++] = (struct grow){ g, goroutine_group_growth_per_s(older, gs, g),
                                               group_cpu_pct(gs, g) };
    }
    sort_state = st;
    qsort(st->rows, st->nrows, sizeof(*st->rows), row_cmp);
    sort_state = NULL;
    for (size_t i = 0; st->follow && i < st->nrows; i++)
        if (same_group(st->rows[i].g, &st->sel_id)) {
            st->sel = i;
            return;
        }
    if (st->sel >= st->nrows)
        st->sel = st->nrows ? st->nrows - 1 : 0;
    if (st->nrows)
        st->sel_id = *st->rows[st->sel].g;
}

static void draw_row(struct goroutines_state *st, int y, const struct pane_rect *rc,
                     const struct grow *row, bool selected)
{
    const struct goroutine_group *g = row->g;
    const struct draw_col_place *c = st->place;
    attr_t dim = selected ? A_NORMAL : draw_role(THEME_DIM);
    char buf[512];
    attrset(selected ? draw_role(THEME_SELECTED) : draw_role(THEME_NORMAL));
    if (selected)
        draw_fill(y, rc->x, rc->w, draw_role(THEME_SELECTED));
    snprintf(buf, sizeof(buf), "%lld", (long long)g->count);
    draw_cell(y, &c[GC_COUNT_], buf, A_NORMAL);
    if (isfinite(row->growth)) {
        snprintf(buf, sizeof(buf), "%+.1f", row->growth);
        draw_cell(y, &c[GC_GROWTH], buf,
                  !selected && row->growth > 0 ? draw_role(THEME_WARN) : A_NORMAL);
    } else {
        draw_cell(y, &c[GC_GROWTH], "-", dim);
    }
    if (isfinite(row->cpu_pct)) {
        snprintf(buf, sizeof(buf), "%.1f", row->cpu_pct);
        draw_cell(y, &c[GC_CPU], buf, row->cpu_pct > 0 ? A_NORMAL : dim);
    } else {
        draw_cell(y, &c[GC_CPU], "-", dim);
    }
    draw_cell(y, &c[GC_STATUS], goroutine_group_status_name(g), A_NORMAL);
    draw_cell(y, &c[GC_REASON], g->wait_reason[0] ? g->wait_reason : "-",
              g->wait_reason[0] ? A_NORMAL : dim);
    goroutines_fmt_wait(buf, sizeof(buf), g->max_wait_s);
    draw_cell(y, &c[GC_WAIT], buf, isfinite(g->max_wait_s) ? A_NORMAL : dim);
    const struct gframe *u = gstack_user_frame(g->stack);
    if (u)
        goroutines_fmt_frame(buf, sizeof(buf), u, true);
    else
        snprintf(buf, sizeof(buf), "%s", g->stack->nframes ? "(in the runtime)"
                                                           : "running: stack not readable");
    draw_cell(y, &c[GC_WHERE], buf, u ? A_NORMAL : dim);
    goroutines_fmt_frame(buf, sizeof(buf), &g->stack->created_by, true);
    draw_cell(y, &c[GC_CREATED], buf, g->stack->created_by.func[0] ? A_NORMAL : dim);
    attrset(A_NORMAL);
}

/* The line above the table: what the groups rest on, or why there are none. */
static int draw_summary(struct goroutines_state *st, const struct pane_view *v, int y,
                        const struct pane_rect *r)
{
    const struct goroutines_sample *gs = &v->cur->goroutines;
    const struct collector_status *cs = snapshot_status(v->cur, "goroutines");
    char line[400];
    if (!gs->valid) {
        attron(draw_role(THEME_WARN));
        snprintf(line, sizeof(line), "goroutine stacks n/a: %s",
                 cs && cs->reason[0] ? cs->reason
                 : cs ? "not read" : "not collected (the sched collector did not run, or "
                                     "the recording predates goroutine groups)");
        int n = draw_wrap(y, r->x + 1, r->w - 2, 2, line);
        attroff(draw_role(THEME_WARN));
        return n;
    }
    size_t ngroups = gs->ngroups + (size_t)gs->other_groups;
    snprintf(line, sizeof(line), "%lld goroutines in %zu groups", (long long)gs->total, ngroups);
    size_t used = strlen(line);
    if (gs->sampled)
        snprintf(line + used, sizeof(line) - used,
                 "  SAMPLED: read %lld of %lld this second, counts scaled",
                 (long long)gs->read, (long long)gs->total);
    used = strlen(line);
    snprintf(line + used, sizeof(line) - used, "  torn stacks dropped %lld  unreadable %lld",
             (long long)gs->stacks_dropped, (long long)gs->stacks_unreadable);
    used = strlen(line);
    if (isfinite(st->window_s))
        snprintf(line + used, sizeof(line) - used, "  growth over %.0fs", st->window_s);
    if (st->filter[0] || st->searching) {
        used = strlen(line);
        snprintf(line + used, sizeof(line) - used, "  filter: %s%s", st->filter,
                 st->searching ? "_" : "");
    }
    attr_t a = gs->sampled ? draw_role(THEME_WARN) : draw_role(THEME_NORMAL);
    attron(a);
    int n = draw_wrap(y, r->x + 1, r->w - 2, 2, line);
    attroff(a);
    return n;
}

static void goroutines_draw(struct pane *p, const struct pane_view *v,
                            const struct pane_rect *r)
{
    struct goroutines_state *st = p->priv;
    int y = r->y, end = r->y + r->h;
    st->head_y = -1;
    st->page = 0;
    if (!v->cur) {
        draw_wrap(y, r->x + 1, r->w - 2, r->h,
                  v->s->attached ? "Waiting for the first sample..."
                                 : "No process attached. Press p to pick one.");
        return;
    }
    build_rows(st, v);
    if (st->stack_open) {
        const struct grow *row = NULL;
        for (size_t i = 0; i < st->nrows && !row; i++)
            if (same_group(st->rows[i].g, &st->sel_id))
                row = &st->rows[i];
        goroutine_stack_draw(row ? row->g : NULL, &st->sel_id, row ? row->growth : NAN, r,
                             &st->stack_scroll);
        return;
    }
    y += draw_summary(st, v, y, r);
    if (!v->cur->goroutines.valid || y >= end)
        return;
    bool status_row = end - y >= 5;
    int list_h = end - y - 1 - (status_row ? 1 : 0);
    if (list_h < 1)
        list_h = 1;
    st->page = list_h;
    draw_layout(col_spec, st->place, GC_NCOLS, r->x, r->w);
    st->head_y = y;
    draw_table_header(y++, st->place, GC_NCOLS, st->sort_col, st->desc, r->x, r->w);
    if (st->sel < st->top)
        st->top = st->sel;
    if (st->sel >= st->top + (size_t)list_h)
        st->top = st->sel - (size_t)list_h + 1;
    if (st->top + (size_t)list_h > st->nrows)
        st->top = st->nrows > (size_t)list_h ? st->nrows - (size_t)list_h : 0;
    for (int i = 0; i < list_h && y < end && st->top + (size_t)i < st->nrows; i++) {
        size_t idx = st->top + (size_t)i;
        draw_row(st, y++, r, &st->rows[idx], idx == st->sel);
    }
    const struct goroutines_sample *gs = &v->cur->goroutines;
    if (gs->other_count > 0 && y < end && !st->filter[0]) {
        attron(draw_role(THEME_DIM));
        draw_printf(y++, r->x + 1, r->w - 1, "%lld more goroutines in %d smaller groups",
                    (long long)gs->other_count, gs->other_groups);
        attroff(draw_role(THEME_DIM));
    }
    if (st->nrows == 0 && y < end)
        draw_text(y, r->x + 1, r->w - 1, st->filter[0] ? "No group matches the filter."
                                                       : "No goroutines.");
    if (status_row) {
        attron(draw_role(THEME_DIM));
        draw_printf(end - 1, r->x + 1, r->w - 1,
                    r->w >= 70 ? "%zu groups  sorted by %s %s  (< > sort, I invert, / filter, "
                                 "Enter stack)"
                               : "%zu groups  %s %s  / Enter",
                    st->nrows, col_spec[st->sort_col].title, st->desc ? "desc" : "asc");
        attroff(draw_role(THEME_DIM));
    }
}

static void move_sel(struct goroutines_state *st, long delta)
{
    if (st->nrows == 0)
        return;
    st->sel = draw_list_move(st->sel, delta, st->nrows);
    st->sel_id = *st->rows[st->sel].g;
    st->follow = true;
}

static void set_sort(struct goroutines_state *st, int col)
{
    st->sort_col = (col + GC_NCOLS) % GC_NCOLS;
    st->desc = natural_desc[st->sort_col];
}

/* Typing a filter: every printable key is text until Enter (keep) or Esc (clear). */
static bool search_key(struct goroutines_state *st, int ch)
{
    size_t len = strlen(st->filter);
    if (ch == 27) {
        st->filter[0] = '\0';
        st->searching = false;
    } else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
        st->searching = false;
    } else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
        if (len)
            st->filter[len - 1] = '\0';
    } else if (ch >= 0x20 && ch <= 0x7e && len + 1 < sizeof(st->filter)) {
        st->filter[len] = (char)ch;
        st->filter[len + 1] = '\0';
    } else {
        return ch != KEY_RESIZE;
    }
    st->sel = st->top = 0;
    st->follow = false;
    return true;
}

static bool goroutines_key(struct pane *p, const struct pane_view *v, int ch)
{
    (void)v;
    struct goroutines_state *st = p->priv;
    if (st->searching)
        return search_key(st, ch);
    if (st->stack_open) {
        if (!goroutine_stack_key(ch, &st->stack_scroll))
            st->stack_open = false;
        return true;
    }
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
    case '/': case KEY_F(3):
        st->searching = true;
        return true;
    case 27:
        if (!st->filter[0])
            return false;
        st->filter[0] = '\0';
        return true;
    case '\n': case '\r': case KEY_ENTER:
        if (st->nrows == 0)
            return false;
        st->sel_id = *st->rows[st->sel].g;
        st->follow = true;
        st->stack_open = true;
        st->stack_scroll = 0;
        return true;
    default:
        return false;
    }
}

static bool goroutines_grabs_keys(const struct pane *p)
{
    const struct goroutines_state *st = p->priv;
    return st->searching || st->stack_open;
}

static bool goroutines_mouse(struct pane *p, const struct pane_view *v,
                             const struct mouse_event *ev, const struct pane_rect *r)
{
    (void)v;
    (void)r;
    struct goroutines_state *st = p->priv;
    if (ev->what != MOUSE_CLICK || st->head_y < 0 || st->stack_open)
        return false;
    struct draw_table_hit hit = draw_table_click(ev->y, ev->x, st->head_y, st->place, GC_NCOLS,
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

void pane_goroutines_focus(struct pane *p, enum goroutines_focus how)
{
    struct goroutines_state *st = p->priv;
    st->stack_open = st->searching = false;
    st->filter[0] = '\0';
    st->sel = st->top = 0;
    st->follow = false;
    set_sort(st, how == GOROUTINES_BY_GROWTH ? GC_GROWTH : GC_COUNT_);
}

static void goroutines_reset(struct pane *p)
{
    struct goroutines_state *st = p->priv;
    st->sel = st->top = 0;
    st->follow = st->searching = st->stack_open = false;
    st->filter[0] = '\0';
    st->nrows = 0;
    st->head_y = -1;
}

static void goroutines_destroy(struct pane *p)
{
    struct goroutines_state *st = p->priv;
    if (st)
        free(st->rows);
    free(st);
    p->priv = NULL;
}

int pane_goroutines_init(struct pane *p)
{
    struct goroutines_state *st = calloc(1, sizeof(*st));
    if (!st)
        return -ENOMEM;
    st->head_y = -1;
    st->window_s = NAN;
    set_sort(st, GC_COUNT_);
    p->tab = "Goroutines";
    p->short_tab = "Gor";
    p->draw = goroutines_draw;
    p->key = goroutines_key;
    p->mouse = goroutines_mouse;
    p->grabs_keys = goroutines_grabs_keys;
    p->reset = goroutines_reset;
    p->destroy = goroutines_destroy;
    p->priv = st;
    p->which = PANE_GOROUTINES;
    return 0;
}
