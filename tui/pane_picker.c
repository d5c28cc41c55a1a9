/* pane_picker: choose the process to watch from a live list (Go programs first). */
#include "tui/pane_picker.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ncurses.h>
#include <linux/capability.h>

#include "tui/draw.h"
#include "session/proclist.h"
#include "base/util.h"

#define PICKER_RESCAN_MS 1000
#define PICKER_FIRST_RESCAN_MS 400   /* CPU% needs a second scan: get it quickly */

enum pcol { PC_PID, PC_USER, PC_GO, PC_THREADS, PC_CPU, PC_RSS, PC_CMD, PC_COUNT };

static const struct draw_col_spec col_spec[PC_COUNT] = {
    [PC_PID]     = { .title = "PID", .width = 7, .min_width = 7, .right = true },
    [PC_USER]    = { .title = "USER", .width = 8, .min_width = 8, .rank = 4 },
    [PC_GO]      = { .title = "GO", .width = 9, .min_width = 9, .rank = 2 },
    [PC_THREADS] = { .title = "THREADS", .width = 7, .min_width = 7, .rank = 5, .right = true },
    [PC_CPU]     = { .title = "CPU%", .width = 6, .min_width = 6, .rank = 3, .right = true },
    [PC_RSS]     = { .title = "RSS", .width = 6, .min_width = 6, .rank = 6, .right = true },
    [PC_CMD]     = { .title = "COMMAND", .width = 30, .min_width = 10, .rank = 1, .flex = true },
};

struct picker {
    const struct proclist *pl;     /* the app's; NULL before the first scan */
    char err[256];                 /* why the list could not be read */
    char banner[256];
    bool banner_error;
    const struct proc_entry **rows; /* filtered, sorted view of the list */
    size_t nrows, cap;
    size_t nunreadable;            /* processes whose program could not be checked */
    bool privileged;               /* gmptop has CAP_SYS_PTRACE: "run as root" won't help */
    size_t ngo;
    bool show_all;
    bool searching;
    char filter[64];
    size_t sel, top;
    pid_t sel_pid;
    bool follow;                   /* the user moved the bar: keep it on sel_pid */
    int page;
    int list_y;                    /* screen row of the first listed process, -1 = none */
    long long next_scan_ms;
    bool scanned_once;
    struct draw_col_place place[PC_COUNT];
};

struct picker *picker_new(void)
{
    struct picker *pk = calloc(1, sizeof(struct picker));
    if (pk)
        pk->privileged = util_has_cap(CAP_SYS_PTRACE);
    return pk;
}

void picker_free(struct picker *pk)
{
    if (!pk)
        return;
    free(pk->rows);
    free(pk);
}

static bool contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return true;
    return n == 0;
}

static bool matches(const struct picker *pk, const struct proc_entry *e)
{
    if (!pk->filter[0])
        return true;
    char pid[16];
    snprintf(pid, sizeof(pid), "%d", (int)e->pid);
    return strstr(pid, pk->filter) || contains_nocase(e->cmd, pk->filter);
}

static int row_cmp(const void *pa, const void *pb)
{
    const struct proc_entry *a = *(const struct proc_entry *const *)pa;
    const struct proc_entry *b = *(const struct proc_entry *const *)pb;
    double x = a->cpu_pct, y = b->cpu_pct;
    if (isnan(x) != isnan(y))
        return isnan(x) ? 1 : -1;
    if (!isnan(x) && x != y)
        return x > y ? -1 : 1;
    return a->pid < b->pid ? -1 : a->pid > b->pid;
}

/* Rebuild the filtered, sorted view after a rescan or a filter change. */
static void rebuild(struct picker *pk)
{
    pk->nrows = pk->nunreadable = pk->ngo = 0;
    if (!pk->pl)
        return;
    size_t n = proclist_count(pk->pl);
    if (n > pk->cap) {
        size_t cap = n + 64;
        const struct proc_entry **r = realloc(pk->rows, cap * sizeof(*r));
        if (!r)
            return;
        pk->rows = r;
        pk->cap = cap;
    }
    for (size_t i = 0; i < n; i++) {
        const struct proc_entry *e = proclist_at(pk->pl, i);
        if (e->is_go)
            pk->ngo++;
        if (e->exe_unreadable)
            pk->nunreadable++;
        if ((pk->show_all || e->is_go) && matches(pk, e))
            pk->rows[pk->nrows++] = e;
    }
    qsort(pk->rows, pk->nrows, sizeof(*pk->rows), row_cmp);
    for (size_t i = 0; pk->follow && i < pk->nrows; i++) {
        if (pk->rows[i]->pid == pk->sel_pid) {
            pk->sel = i;
            return;
        }
    }
    if (pk->sel >= pk->nrows)
        pk->sel = pk->nrows ? pk->nrows - 1 : 0;
    pk->sel_pid = pk->nrows ? pk->rows[pk->sel]->pid : 0;
}

void picker_open(struct picker *pk)
{
    pk->searching = false;
    pk->follow = false;
    pk->sel = pk->top = 0;
    pk->next_scan_ms = 0;             /* scan now */
}

bool picker_scan_due(const struct picker *pk, long long now_ms)
{
    return now_ms >= pk->next_scan_ms;
}

void picker_show(struct picker *pk, const struct proclist *pl, int scan_rc,
                 const char *why, long long now_ms)
{
    pk->pl = pl;
    if (scan_rc >= 0)
        pk->err[0] = '\0';
    else if (why && why[0])
        util_strlcpy(pk->err, why, sizeof(pk->err));
    else
        snprintf(pk->err, sizeof(pk->err), "reading the process list: %s",
                 strerror(-scan_rc));
    rebuild(pk);
    /* The second scan comes sooner: CPU% needs two. */
    pk->next_scan_ms = now_ms + (pk->scanned_once ? PICKER_RESCAN_MS : PICKER_FIRST_RESCAN_MS);
    pk->scanned_once = true;
}

long long picker_next_ms(const struct picker *pk, long long now_ms)
{
    return pk->next_scan_ms > now_ms ? pk->next_scan_ms - now_ms : 0;
}

void picker_set_banner(struct picker *pk, const char *msg, bool error)
{
    if (msg)
        util_strlcpy(pk->banner, msg, sizeof(pk->banner));
    else
        pk->banner[0] = '\0';
    pk->banner_error = error;
}

static void draw_entry(struct picker *pk, int y, const struct pane_rect *r,
                       const struct proc_entry *e, bool selected, pid_t current)
{
    const struct draw_col_place *c = pk->place;
    char buf[64];
    attr_t dim = selected ? A_NORMAL : draw_role(THEME_DIM);
    attrset(selected ? draw_role(THEME_SELECTED) : draw_role(THEME_NORMAL));
    if (selected)
        draw_fill(y, r->x, r->w, draw_role(THEME_SELECTED));
    snprintf(buf, sizeof(buf), "%s%d", e->pid == current ? "*" : "", (int)e->pid);
    draw_cell(y, &c[PC_PID], buf, A_NORMAL);
    draw_cell(y, &c[PC_USER], e->user[0] ? e->user : "?", A_NORMAL);
    if (e->exe_unreadable)
        draw_cell(y, &c[PC_GO], "?", selected ? A_NORMAL : draw_role(THEME_WARN));
    else if (e->is_go)
        draw_cell(y, &c[PC_GO], e->go_version[0] ? e->go_version : "go?",
                  selected ? A_NORMAL : draw_role(THEME_OK));
    else
        draw_cell(y, &c[PC_GO], "-", dim);
    snprintf(buf, sizeof(buf), "%d", e->threads);
    draw_cell(y, &c[PC_THREADS], buf, A_NORMAL);
    bool known = draw_fmt_num(buf, sizeof(buf), e->cpu_pct, 1, c[PC_CPU].w);
    draw_cell(y, &c[PC_CPU], buf, known ? A_NORMAL : dim);
    util_format_kb(buf, sizeof(buf), e->rss_kb);
    draw_cell(y, &c[PC_RSS], buf, A_NORMAL);
    draw_cell(y, &c[PC_CMD], e->cmd, A_NORMAL);
    attrset(A_NORMAL);
}

/* Tell people what to do when the list is empty, instead of a blank screen. */
static void draw_empty(struct picker *pk, int y, int end, const struct pane_rect *r)
{
    const char *msg;
    char buf[256];
    if (pk->filter[0]) {
        snprintf(buf, sizeof(buf), "Nothing matches \"%s\". Esc clears the search.",
                 pk->filter);
        msg = buf;
    } else if (!pk->show_all) {
        msg = "No Go programs are running. Start one to watch, for example the demo "
              "workload:  gmptop --demo pingpong   (or press a to show all processes)";
    } else {
        msg = "No processes found.";
    }
    draw_wrap(y, r->x + 1, r->w - 2, end - y, msg);
}

void picker_draw(struct picker *pk, const struct pane_rect *r, pid_t current)
{
    int y = r->y, end = r->y + r->h;
    pk->list_y = -1;
    if (r->h <= 0)
        return;
    attron(draw_role(THEME_TITLE) | A_BOLD);
    y += draw_wrap(y, r->x + 1, r->w - 1, 1, pk->show_all ? "Pick a process (all processes)"
                                                 : "Pick a Go process");
    attroff(draw_role(THEME_TITLE) | A_BOLD);
    if (pk->banner[0] && y < end) {
        attr_t a = draw_role(pk->banner_error ? THEME_CRIT : THEME_WARN) | A_BOLD;
        attron(a);
        y += draw_wrap(y, r->x + 1, r->w - 1, end - y > 4 ? 2 : 1, pk->banner);
        attroff(a);
    }
    if (pk->err[0] && y < end) {
        attron(draw_role(THEME_CRIT));
        y += draw_wrap(y, r->x + 1, r->w - 1, 1, pk->err);
        attroff(draw_role(THEME_CRIT));
    }
    if (pk->searching || pk->filter[0]) {
        if (y < end) {
            draw_printf(y, r->x + 1, r->w - 1, "Search: %s%s", pk->filter, pk->searching ? "_" : "");
            y++;
        }
    }
    bool note = pk->nunreadable > 0 && end - y >= 5;
    int list_end = end - (note ? 1 : 0);
    if (y >= list_end)
        return;
    draw_layout(col_spec, pk->place, PC_COUNT, r->x, r->w);
    draw_table_header(y++, pk->place, PC_COUNT, PC_CPU, true, r->x, r->w);
    int list_h = list_end - y;
    pk->page = list_h > 0 ? list_h : 1;
    if (pk->nrows == 0) {
        draw_empty(pk, y, list_end, r);
    } else {
        pk->list_y = y;
        if (pk->sel < pk->top)
            pk->top = pk->sel;
        if (list_h > 0 && pk->sel >= pk->top + (size_t)list_h)
            pk->top = pk->sel - (size_t)list_h + 1;
        for (int i = 0; i < list_h && pk->top + (size_t)i < pk->nrows; i++) {
            size_t idx = pk->top + (size_t)i;
            draw_entry(pk, y + i, r, pk->rows[idx], idx == pk->sel, current);
        }
    }
    if (note) {
        attron(draw_role(THEME_DIM));
        /* With CAP_SYS_PTRACE already, the refusal is a user namespace or an LSM. */
        const char *why = pk->privileged ? "outside gmptop's user namespace, or an LSM"
                                         : "needs root or CAP_SYS_PTRACE";
        if (r->w >= 72)
            draw_printf(end - 1, r->x + 1, r->w - 1, "%zu process%s could not be checked "
                        "(GO ?): %s", pk->nunreadable, pk->nunreadable == 1 ? "" : "es", why);
        else
            draw_printf(end - 1, r->x + 1, r->w - 1, "%zu unchecked (?): %s",
                        pk->nunreadable, why);
        attroff(draw_role(THEME_DIM));
    }
}

static void move_sel(struct picker *pk, long delta)
{
    if (pk->nrows == 0)
        return;
    long s = (long)pk->sel + delta;
    s = s < 0 ? 0 : s >= (long)pk->nrows ? (long)pk->nrows - 1 : s;
    pk->sel = (size_t)s;
    pk->sel_pid = pk->rows[pk->sel]->pid;
    pk->follow = true;
}

static bool nav_key(struct picker *pk, int ch)
{
    long page = pk->page > 1 ? pk->page - 1 : 1;
    switch (ch) {
    case KEY_UP:    move_sel(pk, -1); return true;
    case KEY_DOWN:  move_sel(pk, 1); return true;
    case KEY_PPAGE: move_sel(pk, -page); return true;
    case KEY_NPAGE: move_sel(pk, page); return true;
    case KEY_HOME:  move_sel(pk, -(long)pk->nrows); return true;
    case KEY_END:   move_sel(pk, (long)pk->nrows); return true;
    default:        return false;
    }
}

static enum picker_action attach_selected(struct picker *pk, pid_t *pid)
{
    if (pk->nrows == 0)
        return PICKER_HANDLED;
    *pid = pk->rows[pk->sel]->pid;
    return PICKER_ATTACH;
}

/* While searching every printable key goes into the filter (so q, h, p are text). */
static enum picker_action search_key(struct picker *pk, int ch, pid_t *pid)
{
    size_t len = strlen(pk->filter);
    switch (ch) {
    case 27:
        pk->filter[0] = '\0';
        pk->searching = false;
        break;
    case '\n': case '\r': case KEY_ENTER:
        pk->searching = false;
        return attach_selected(pk, pid);
    case KEY_BACKSPACE: case 127: case 8:
        if (len)
            pk->filter[len - 1] = '\0';
        break;
    default:
        if (nav_key(pk, ch))
            return PICKER_HANDLED;
        if (ch < 0x20 || ch > 0x7e)
            return ch == KEY_RESIZE ? PICKER_UNHANDLED : PICKER_HANDLED;
        if (len + 1 < sizeof(pk->filter)) {
            pk->filter[len] = (char)ch;
            pk->filter[len + 1] = '\0';
        }
        break;
    }
    pk->sel = 0;
    pk->sel_pid = 0;
    pk->follow = false;
    rebuild(pk);
    return PICKER_HANDLED;
}

enum picker_action picker_key(struct picker *pk, int ch, pid_t *pid)
{
    if (pk->searching)
        return search_key(pk, ch, pid);
    if (nav_key(pk, ch))
        return PICKER_HANDLED;
    switch (ch) {
    case '/': case KEY_F(3):
        pk->searching = true;
        return PICKER_HANDLED;
    case 'a':
        pk->show_all = !pk->show_all;
        rebuild(pk);
        return PICKER_HANDLED;
    case '\n': case '\r': case KEY_ENTER:
        return attach_selected(pk, pid);
    case 27:
        if (pk->filter[0]) {
            pk->filter[0] = '\0';
            rebuild(pk);
            return PICKER_HANDLED;
        }
        return PICKER_CLOSE;
    default:
        return PICKER_UNHANDLED;
    }
}

enum picker_action picker_mouse(struct picker *pk, const struct mouse_event *ev, pid_t *pid)
{
    if (ev->what != MOUSE_CLICK) {
        move_sel(pk, ev->what == MOUSE_WHEEL_UP ? -MOUSE_WHEEL_ROWS : MOUSE_WHEEL_ROWS);
        return PICKER_HANDLED;
    }
    long row = ev->y - pk->list_y;
    if (pk->list_y < 0 || row < 0 || row >= pk->page || pk->top + (size_t)row >= pk->nrows)
        return PICKER_UNHANDLED;
    size_t idx = pk->top + (size_t)row;
    /* The second click on a row (a double click too) attaches, as Enter does. */
    if (idx == pk->sel)
        return attach_selected(pk, pid);
    move_sel(pk, (long)idx - (long)pk->sel);
    return PICKER_HANDLED;
}

const char *picker_hints(const struct picker *pk, int width)
{
    if (pk->searching)
        return "Type to filter  Enter Attach  Esc Clear";
    if (width >= 56)
        return "Enter Attach  / Search  a All  Esc Back  F1 Help  q Quit";
    return "Enter Attach  / Search  a All  q Quit";
}
