/* sched_charts: the scheduler pane's history when the terminal is tall, as htop's and
 * btop's meters grow with the screen: the goroutine census with its trend, and each P's
 * runqueue length as a chart several rows tall over as long a span as the width holds
 * (the table's sparkline is one row of about 15 ticks). */
#include "tui/sched_charts.h"

#include <math.h>
#include <stdio.h>
#include <ncurses.h>

#include "tui/draw.h"
#include "tui/theme.h"

#define CHART_MAX_W 400          /* draw_chart draws at most this many cells */
#define P_CHART_MAX_H 12         /* rows per P: taller says little more */
#define CENSUS_CHART_MAX_H 4
#define LABEL_W 5                /* "P12 " or "  G " left of a chart */

/* vals (oldest first) of up to n ticks ending at age; returns how many. A column per
 * tick, from the history's rows of figures (not its snapshots: the ring of those is
 * shorter, and sparser past it). */
static size_t series(const struct history *h, size_t age, size_t n, size_t idx,
                     enum history_tick_figure f, double *vals)
{
    return history_ticks_series(history_ticks(h), age, n, f, idx, vals);
}

static void span_text(const struct history *h, size_t age, size_t n, char *buf, size_t len)
{
    struct history_tick newest, oldest;
    const struct history_ticks *t = history_ticks(h);
    double s = n && history_ticks_get(t, age, &newest) == 0 &&
                       history_ticks_get(t, age + n - 1, &oldest) == 0
                   ? (double)(newest.mono_ns - oldest.mono_ns) / 1e9
                   : 0;
    if (s >= 120)
        snprintf(buf, len, "%.0f min", s / 60);
    else if (s >= 10)
        snprintf(buf, len, "%.0f s", s);
    else
        snprintf(buf, len, "%.1f s", s);
}

static void title(int y, int x, int w, const char *text)
{
    attron(draw_role(THEME_TITLE));
    draw_text(y, x, w, text);
    attroff(draw_role(THEME_TITLE));
}

static int draw_census(const struct history *h, size_t age, int y, int x, int w, int ch,
                       const double *vals, size_t n)
{
    double lo = INFINITY, hi = 0;
    for (size_t k = 0; k < n; k++)
        if (!isnan(vals[k])) {
            lo = vals[k] < lo ? vals[k] : lo;
            hi = vals[k] > hi ? vals[k] : hi;
        }
    char span[32], line[160];
    span_text(h, age, n, span, sizeof(span));
    snprintf(line, sizeof(line), "Goroutines %.0f now, %.0f-%.0f over the last %s",
             vals[n - 1], isinf(lo) ? 0 : lo, hi, span);
    title(y, x, w, line);
    draw_chart(y + 1, x + LABEL_W, w - LABEL_W, ch, vals, n, hi);
    return 1 + ch;
}

int sched_charts_draw(const struct history *h, size_t age, int y, int x, int w, int rows)
{
    const struct snapshot *cur = h ? history_get(h, age) : NULL;
    /* The rows count ticks as the dense ring does; past it an age is another tick's. */
    if (!cur || !cur->sched.valid || age >= history_dense_len(h) || w < 30 || rows < 4)
        return 0;
    size_t width = (size_t)(w - LABEL_W) < CHART_MAX_W ? (size_t)(w - LABEL_W) : CHART_MAX_W;
    double vals[CHART_MAX_W];
    int used = 0;

    /* The census first: one chart whatever the number of Ps. */
    size_t n = series(h, age, width, 0, TICK_GOROUTINES, vals);
    bool census = n >= 2 && !isnan(vals[n - 1]);
    int ch = rows >= 12 ? CENSUS_CHART_MAX_H : 2;
    if (census) {
        used += draw_census(h, age, y, x, w, ch, vals, n) + 1;
    }

    /* Then every P, on one scale so they compare at a glance, if each gets 2 rows. */
    size_t nps = cur->sched.nps;
    int left = rows - used - 1;
    if (nps == 0 || left < (int)nps * 2 || history_ticks_len(history_ticks(h)) < age + 2)
        return used > 0 ? used - 1 : 0;         /* one tick is no history yet */
    int ph = left / (int)nps;
    ph = ph > P_CHART_MAX_H ? P_CHART_MAX_H : ph;
    double max = 0;
    for (size_t i = 0; i < nps; i++) {
        n = series(h, age, width, i, TICK_RUNQ, vals);
        for (size_t k = 0; k < n; k++)
            max = !isnan(vals[k]) && vals[k] > max ? vals[k] : max;
    }
    char span[32], line[160];
    span_text(h, age, n, span, sizeof(span));
    snprintf(line, sizeof(line), "Local runqueue per P over the last %s (top of scale: %.0f "
             "goroutines)", span, max);
    title(y + used, x, w, line);
    used++;
    for (size_t i = 0; i < nps; i++) {
        n = series(h, age, width, i, TICK_RUNQ, vals);
        char label[24];
        snprintf(label, sizeof(label), "P%zu", i);
        draw_text(y + used + ph - 1, x, LABEL_W - 1, label);
        draw_chart(y + used, x + LABEL_W, w - LABEL_W, ph, vals, n, max > 0 ? max : 1);
        used += ph;
    }
    return used;
}
