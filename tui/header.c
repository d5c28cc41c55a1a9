/* header: the top of the screen: which process, its Go version and age, and CPU bars. */
#include "tui/header.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <ncurses.h>

#include "tui/draw.h"
#include "tui/rewind_ui.h"
#include "model/rates.h"

static void format_uptime(char *buf, size_t len, double s)
{
    if (s < 0 || isnan(s)) {
        snprintf(buf, len, "n/a");
        return;
    }
    unsigned long t = (unsigned long)s;
    if (t < 60)
        snprintf(buf, len, "%lus", t);
    else if (t < 3600)
        snprintf(buf, len, "%lum%02lus", t / 60, t % 60);
    else if (t < 86400)
        snprintf(buf, len, "%luh%02lum", t / 3600, t % 3600 / 60);
    else
        snprintf(buf, len, "%lud%02luh", t / 86400, t % 86400 / 3600);
}

/* Add a segment at *x if it fits before limit; segments are dropped from the end as
 * the screen narrows rather than cut in the middle. */
static bool segment(int y, int *x, int limit, attr_t a, const char *text)
{
    int w = draw_text_width(text);
    if (*x + w > limit)
        return false;
    attron(a);
    draw_text(y, *x, w, text);
    attroff(a);
    *x += w + 2;
    return true;
}

/* The right end of the title line: PAUSED, and the process CPU % with its sparkline. */
static int draw_right(const struct pane_view *v, int y, int cols, const double *hist,
                      size_t nhist)
{
    int right = cols;
    char back[40] = "";
    if (v->rewind_ns > 0) {
        /* Not live: say so where PAUSED would be, with how far back. */
        char ago[24];
        rewind_ui_fmt_behind(ago, sizeof(ago), v->rewind_ns);
        snprintf(back, sizeof(back), " REWIND %s ", ago);
    }
    const char *badges[2] = { back[0] ? back : NULL, v->paused ? " PAUSED " : NULL };
    for (int i = 0; i < 2; i++) {
        const char *p = badges[i];
        if (!p || right - (int)strlen(p) < 0)
            continue;
        right -= (int)strlen(p);
        attron(draw_role(THEME_CRIT) | A_REVERSE | A_BOLD);
        draw_text(y, right, cols - right, p);
        attroff(draw_role(THEME_CRIT) | A_REVERSE | A_BOLD);
        right -= 1;
    }
    if (cols < 70 || nhist == 0 || !v->cur)
        return right;
    double last = hist[nhist - 1], max = 100.0;
    for (size_t i = 0; i < nhist; i++)
        if (!isnan(hist[i]) && hist[i] > max)
            max = hist[i];
    char num[16], label[32];
    draw_fmt_num(num, sizeof(num), last, 0, 5);
    snprintf(label, sizeof(label), "CPU %s%s", num, isnan(last) ? "" : "%");
    int sw = 12, lw = (int)strlen(label);
    int x = right - lw - 1 - sw;
    if (x < cols / 2)
        return right;
    draw_text(y, x, lw, label);
    attron(draw_role(draw_level_role(isnan(last) ? NAN : last / max * 100.0)));
    draw_sparkline(y, x + lw + 1, sw, hist, nhist, max);
    attroff(draw_role(draw_level_role(isnan(last) ? NAN : last / max * 100.0)));
    return x - 1;
}

static void draw_title(const struct pane_view *v, int y, int cols, const double *hist,
                       size_t nhist)
{
    attr_t ha = draw_role(THEME_HEADER);
    draw_fill(y, 0, cols, ha);
    attrset(ha);
    int limit = draw_right(v, y, cols, hist, nhist);
    attrset(ha);
    int x = 1;
    char buf[128];
    const struct snapshot *cur = v->cur;
    if (!cur) {
        segment(y, &x, limit, ha | A_BOLD, "gmptop");
        segment(y, &x, limit, ha, v->s->attached ? "waiting for the first sample"
                                                 : "no process: press p to pick one");
        attrset(A_NORMAL);
        return;
    }
    const struct snapshot_meta *m = &cur->meta;
    snprintf(buf, sizeof(buf), "PID %d", (int)m->pid);
    segment(y, &x, limit, ha | A_BOLD, buf);
    /* A long command name is cut rather than dropped (it is what people look for),
     * and cut early enough to leave room for the Go version. */
    int cw = draw_text_width(m->comm), cap = cols >= 120 ? 40 : cols >= 80 ? 24 : 16;
    if (cw > cap)
        cw = cap;
    if (x + cw > limit)
        cw = limit - x;
    if (cw > 0) {
        attron(ha | A_BOLD);
        x += draw_text(y, x, cw, m->comm[0] ? m->comm : "?") + 2;
        attroff(ha | A_BOLD);
    }
    if (m->target_gone)
        segment(y, &x, limit, draw_role(THEME_CRIT) | A_BOLD, "exited");
    if (m->go_version[0])
        segment(y, &x, limit, ha, m->go_version);
    else
        segment(y, &x, limit, ha | A_DIM, "go n/a");
    char up[32];
    format_uptime(up, sizeof(up), m->uptime_s);
    snprintf(buf, sizeof(buf), "up %s", up);
    segment(y, &x, limit, ha, buf);
    snprintf(buf, sizeof(buf), "%zu threads", cur->nthreads);
    segment(y, &x, limit, ha, buf);
    attrset(A_NORMAL);
}

/* One glyph per CPU on one line: used when full bars do not fit. */
static int draw_compact(const struct pane_view *v, int y, int cols)
{
    const struct snapshot *cur = v->cur;
    int x = 1;
    x += draw_text(y, x, cols - x, "CPU ");
    double sum = 0;
    int known = 0;
    size_t room = cols > x + 10 ? (size_t)(cols - x - 10) : 0;
    size_t i;
    for (i = 0; i < cur->ncpus; i++) {
        double u = rates_cpu_util(v->prev, cur, cur->cpus[i].cpu);
        if (!isnan(u))
            sum += u, known++;
        if (i >= room)
            continue;
        char g[8];
        draw_level_glyph(isnan(u) ? NAN : u / 100.0, g);
        attron(draw_role(draw_level_role(u)));
        mvaddstr(y, x++, g);
        attroff(draw_role(draw_level_role(u)));
    }
    if (cur->ncpus > room && x < cols)
        draw_text(y, x++, 1, "+");
    char buf[32];
    if (known)
        snprintf(buf, sizeof(buf), " avg %.0f%%", sum / known);
    else
        snprintf(buf, sizeof(buf), " avg n/a");
    draw_text(y, x, cols - x, buf);
    return 1;
}

/* htop-style "3 [|||||     42%]" cells, row by row. */
static int draw_bars(const struct pane_view *v, int y, int cols, int max_rows)
{
    const struct snapshot *cur = v->cur;
    size_t n = cur->ncpus;
    if (n == 0 || max_rows <= 0)
        return 0;
    int maxid = 0;
    for (size_t i = 0; i < n; i++)
        if (cur->cpus[i].cpu > maxid)
            maxid = cur->cpus[i].cpu;
    int lw = snprintf(NULL, 0, "%d", maxid);
    int per_row = cols / 24 > 0 ? cols / 24 : 1;
    if ((size_t)per_row > n)
        per_row = (int)n;
    int rows = (int)((n + (size_t)per_row - 1) / (size_t)per_row);
    if (rows > max_rows) {
        rows = max_rows;
        per_row = (int)((n + (size_t)rows - 1) / (size_t)rows);
    }
    int cw = (cols - 1) / per_row;
    int bw = cw - lw - 8;              /* "N [" + bar + " 42%]" + gap */
    if (bw < 3)
        return draw_compact(v, y, cols);
    for (size_t i = 0; i < n; i++) {
        int row = (int)(i / (size_t)per_row), col = (int)(i % (size_t)per_row);
        int x = 1 + col * cw, yy = y + row;
        const struct cpu_sample *c = &cur->cpus[i];
        double u = rates_cpu_util(v->prev, cur, c->cpu);
        attron(draw_role(THEME_TITLE));
        draw_printf(yy, x, lw, "%*d", lw, c->cpu);
        attroff(draw_role(THEME_TITLE));
        draw_text(yy, x + lw, 2, " [");
        draw_bar(yy, x + lw + 2, bw, u);
        char pct[16];
        if (isnan(u))
            snprintf(pct, sizeof(pct), " n/a");
        else
            snprintf(pct, sizeof(pct), "%3.0f%%", u);
        attr_t pa = isnan(u) ? draw_role(THEME_DIM) : A_NORMAL;
        attron(pa);
        draw_text(yy, x + lw + 2 + bw, 4, pct);
        attroff(pa);
        draw_text(yy, x + lw + 6 + bw, 1, "]");
    }
    return rows;
}

int header_draw(const struct pane_view *v, int y, int cols, int max_bar_rows,
                const double *cpu_hist, size_t nhist)
{
    draw_title(v, y, cols, cpu_hist, nhist);
    if (!v->cur || v->cur->ncpus == 0 || max_bar_rows <= 0)
        return 1;
    return 1 + draw_bars(v, y + 1, cols, max_bar_rows);
}
