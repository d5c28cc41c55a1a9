/* pane_latency: how long goroutines wait: BPF park latency per wait reason (histograms of
 * the leading reasons, a sortable table of all), and wake-to-run beside the runtime's own
 * scheduling-latency histogram. */
#include "tui/pane.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ncurses.h>

#include "tui/draw.h"
#include "model/go_timehist.h"
#include "model/park_hist.h"

enum lcol { LC_REASON, LC_COUNT, LC_RATE, LC_P50, LC_P99, LC_MAX, LC_MEAN, LC_COUNT_COLS };

static const struct draw_col_spec col_spec[LC_COUNT_COLS] = {
    [LC_REASON] = { .title = "WAIT REASON", .width = 24, .min_width = 12, .flex = true },
    [LC_COUNT]  = { .title = "PARKS", .width = 9, .min_width = 9, .rank = 1, .right = true },
    [LC_RATE]   = { .title = "PER S", .width = 8, .min_width = 8, .rank = 5, .right = true },
    [LC_P50]    = { .title = "P50", .width = 8, .min_width = 8, .rank = 2, .right = true },
    [LC_P99]    = { .title = "P99", .width = 8, .min_width = 8, .rank = 3, .right = true },
    [LC_MAX]    = { .title = "MAX", .width = 8, .min_width = 8, .rank = 4, .right = true },
    [LC_MEAN]   = { .title = "MEAN", .width = 8, .min_width = 8, .rank = 6, .right = true },
};

#define MAX_ROWS 64
#define MAX_BARS 48

struct lrow {
    const struct park_hist_sample *cum;
    struct park_hist_sample h;    /* what is shown: interval or since attach */
};

struct latency_pane {
    struct draw_col_place place[LC_COUNT_COLS];
    int sort_col;
    bool desc;
    bool since_attach;            /* false: last interval */
    bool fell_back;               /* the interval had the probe off: since attach shown */
    size_t top;
    int head_y;                   /* screen row of the table's titles at the last draw */
    struct lrow rows[MAX_ROWS];
    size_t nrows;
};

/* One histogram ready to draw: rows [lower, le) with counts. */
struct hview {
    char title[128];
    size_t n;
    uint64_t lower[MAX_BARS], le[MAX_BARS], count[MAX_BARS];
};

static const char *const eighths[8] = {
    "\u258f", "\u258e", "\u258d", "\u258c", "\u258b", "\u258a", "\u2589", "\u2588",
};

static void fmt_ns(char *buf, size_t len, uint64_t ns)
{
    double v = (double)ns;
    if (ns == PARK_HIST_INF || ns == GO_TIMEHIST_INF)
        snprintf(buf, len, "inf");
    else if (v < 1e3)
        snprintf(buf, len, "%.0fns", v);
    else if (v < 1e6)
        snprintf(buf, len, v < 1e4 ? "%.1fus" : "%.0fus", v / 1e3);
    else if (v < 1e9)
        snprintf(buf, len, v < 1e7 ? "%.2fms" : "%.0fms", v / 1e6);
    else
        snprintf(buf, len, "%.1fs", v / 1e9);
}

/* A quantile cell: n/a for an empty histogram, never 0. */
static void fmt_q(char *buf, size_t len, const struct park_hist_sample *h, unsigned permille)
{
    if (!h->count)
        snprintf(buf, len, "n/a");
    else
        fmt_ns(buf, len, park_hist_quantile_ns(h, permille));
}

static void bar(int y, int x, int w, double frac)
{
    if (w <= 0)
        return;
    if (frac < 0)
        frac = 0;
    if (frac > 1)
        frac = 1;
    int e = (int)lround(frac * w * 8);
    if (frac > 0 && e == 0)
        e = 1;                      /* a non-empty bucket always shows */
    attron(draw_role(THEME_BAR_LOW));
    for (int i = 0; i < w && e > 0; i++, e -= 8) {
        if (draw_utf8())
            mvaddstr(y, x + i, eighths[e >= 8 ? 7 : e - 1]);
        else
            mvaddch(y, x + i, e >= 4 ? '#' : '.');
    }
    attroff(draw_role(THEME_BAR_LOW));
}

/* Draw one histogram in a box of w x h: a title row, then one row per bucket from the
 * first to the last non-empty one (the outer ones merged when they do not fit). */
static void draw_hview(const struct hview *v, int y, int x, int w, int h)
{
    if (h <= 0 || w < 12)
        return;
    attron(draw_role(THEME_TITLE));
    draw_text(y, x, w, v->title);
    attroff(draw_role(THEME_TITLE));
    int rows = h - 1;
    size_t first = v->n, last = 0;
    uint64_t maxc = 0, total = 0;
    for (size_t i = 0; i < v->n; i++) {
        if (!v->count[i])
            continue;
        if (first == v->n)
            first = i;
        last = i;
        total += v->count[i];
    }
    if (!total) {
        if (rows > 0) {
            attron(draw_role(THEME_DIM));
            draw_text(y + 1, x, w, "no events in this interval");
            attroff(draw_role(THEME_DIM));
        }
        return;
    }
    /* Keep the rows around the fullest bucket; merge what falls outside into the ends. */
    size_t span = last - first + 1;
    if (span > (size_t)rows && rows > 0) {
        size_t full = first;
        for (size_t i = first; i <= last; i++)
            if (v->count[i] > v->count[full])
                full = i;
        size_t lo = full >= (size_t)rows / 2 ? full - (size_t)rows / 2 : 0;
        if (lo < first)
            lo = first;
        if (lo + (size_t)rows - 1 > last)
            lo = last + 1 - (size_t)rows;
        first = lo;
        last = lo + (size_t)rows - 1;
    }
    uint64_t below = 0, above = 0;
    for (size_t i = 0; i < v->n; i++) {
        if (i < first)
            below += v->count[i];
        else if (i > last)
            above += v->count[i];
    }
    for (size_t i = first; i <= last; i++) {
        uint64_t c = v->count[i] + (i == first ? below : 0) + (i == last ? above : 0);
        if (c > maxc)
            maxc = c;
    }
    int label_w = 10, count_w = 8;
    int bar_w = w - label_w - count_w - 2;
    for (size_t i = first; i <= last && (int)(i - first) < rows; i++) {
        uint64_t c = v->count[i] + (i == first ? below : 0) + (i == last ? above : 0);
        char edge[16], lab[24], cnt[24];
        /* A row is labelled by its lower edge; one that also holds the merged buckets
         * beyond it says so: "<2.5ms" at the bottom, ">=40ms" at the top. */
        if (i == first && below) {
            fmt_ns(edge, sizeof(edge), v->le[i]);
            snprintf(lab, sizeof(lab), "<%s", edge);
        } else {
            fmt_ns(edge, sizeof(edge), v->lower[i]);
            snprintf(lab, sizeof(lab), "%s%s", i == last && above ? ">=" : "", edge);
        }
        snprintf(cnt, sizeof(cnt), "%llu", (unsigned long long)c);
        int yy = y + 1 + (int)(i - first);
        draw_text_right(yy, x, label_w, lab);
        bar(yy, x + label_w + 1, bar_w, maxc ? (double)c / (double)maxc : 0);
        draw_text_right(yy, x + label_w + 1 + (bar_w > 0 ? bar_w : 0), count_w + 1, cnt);
    }
}

/* Rows draw_hview() fills for v: the title plus its first to last non-empty bucket
 * (one for the "no events" line). */
static int hview_rows(const struct hview *v)
{
    size_t first = v->n, last = 0;
    for (size_t i = 0; i < v->n; i++)
        if (v->count[i]) {
            if (first == v->n)
                first = i;
            last = i;
        }
    return first == v->n ? 2 : 1 + (int)(last - first + 1);
}

static int min_int(int a, int b) { return a < b ? a : b; }

static void hview_from_park(struct hview *v, const struct park_hist_sample *h, const char *name,
                            double secs)
{
    char p50[16], p99[16], mx[16];
    fmt_q(p50, sizeof(p50), h, 500);
    fmt_q(p99, sizeof(p99), h, 990);
    if (h->count)
        fmt_ns(mx, sizeof(mx), h->max_ns);
    else
        snprintf(mx, sizeof(mx), "n/a");
    (void)secs;
    snprintf(v->title, sizeof(v->title), "%s %llu  p50 %s p99 %s max %s", name,
             (unsigned long long)h->count, p50, p99, mx);
    v->n = SNAPSHOT_PARK_SLOTS < MAX_BARS ? SNAPSHOT_PARK_SLOTS : MAX_BARS;
    for (size_t i = 0; i < v->n; i++) {
        v->lower[i] = park_slot_lower_ns(i);
        v->le[i] = park_slot_le_ns(i);
        v->count[i] = h->slots[i];
    }
}

/* The runtime's scheduling-latency histogram over the same interval, in log2 buckets. */
static bool hview_from_runtime(struct hview *v, const struct pane_view *pv, bool since)
{
    static struct go_timehist_interval iv;   /* 12 KB: off the stack */
    const struct snapshot *cur = pv->cur, *prev = pv->prev;
    char why[128];
    if (!cur || !cur->sched_latency.valid)
        return false;
    bool have_prev = !since && prev && prev->sched_latency.valid &&
                     prev->meta.pid == cur->meta.pid &&
                     prev->sched_latency.layout.ncounts == cur->sched_latency.layout.ncounts;
    if (go_timehist_interval(&cur->sched_latency.layout,
                             have_prev ? prev->sched_latency.raw : NULL,
                             cur->sched_latency.raw, &iv, why, sizeof(why)) != 0)
        return false;
    char p50[16], p99[16];
    if (iv.total) {
        fmt_ns(p50, sizeof(p50), iv.p50_ns);
        fmt_ns(p99, sizeof(p99), iv.p99_ns);
    } else {
        snprintf(p50, sizeof(p50), "n/a");
        snprintf(p99, sizeof(p99), "n/a");
    }
    /* The runtime's histogram has no attach: "since" means since the program started. */
    snprintf(v->title, sizeof(v->title), "Runtime sched latency (sampled%s) %llu  p50 %s p99 %s",
             have_prev ? "" : ", since start", (unsigned long long)iv.total, p50, p99);
    v->n = iv.nlog2 < MAX_BARS ? iv.nlog2 : MAX_BARS;
    for (size_t i = 0; i < v->n; i++) {
        v->le[i] = iv.log2[i].le_ns;
        v->lower[i] = i ? iv.log2[i - 1].le_ns : 0;
        v->count[i] = iv.log2[i].count;
    }
    return true;
}

static double row_value(const struct lrow *r, int col, double secs)
{
    const struct park_hist_sample *h = &r->h;
    switch (col) {
    case LC_COUNT: return (double)h->count;
    case LC_RATE: return secs > 0 ? (double)h->count / secs : NAN;
    case LC_P50: return h->count ? (double)park_hist_quantile_ns(h, 500) : NAN;
    case LC_P99: return h->count ? (double)park_hist_quantile_ns(h, 990) : NAN;
    case LC_MAX: return h->count ? (double)h->max_ns : NAN;
    case LC_MEAN: return h->count ? (double)h->sum_ns / (double)h->count : NAN;
    default: return NAN;
    }
}

/* qsort has no context argument in C11; the TUI is single-threaded. */
static const struct latency_pane *sort_state;

static int row_cmp(const void *pa, const void *pb)
{
    const struct lrow *a = pa, *b = pb;
    const struct latency_pane *st = sort_state;
    int c;
    if (st->sort_col == LC_REASON) {
        c = strcmp(a->cum->name, b->cum->name);
    } else {
        double x = row_value(a, st->sort_col, 1), y = row_value(b, st->sort_col, 1);
        if (isnan(x) || isnan(y))          /* unknown sorts last either way */
            return isnan(x) - isnan(y);
        c = (x > y) - (x < y);
    }
    if (c == 0)
        return a->cum->reason - b->cum->reason;
    return st->desc ? -c : c;
}

/* Fill the rows from the snapshot: the interval against prev when both hold the same
 * maps, else everything since the attach. Returns the seconds the figures cover. */
static double build_rows(struct latency_pane *st, const struct pane_view *v,
                         struct park_hist_sample *wake)
{
    const struct park_sample *p = &v->cur->park;
    bool interval = !st->since_attach && park_same_epoch(v->prev, v->cur);
    /* Rates per second of observation: while the governor samples, the probe saw only
     * the attached part of the interval. */
    double secs = interval ? p->attached_s - v->prev->park.attached_s : p->attached_s;
    /* A detached probe (the governor off, between its re-measurements) saw nothing this
     * interval: show what it saw since the attach rather than an empty table. */
    st->fell_back = interval && secs <= 0.0 && p->attached_s > 0.0;
    if (st->fell_back) {
        interval = false;
        secs = p->attached_s;
    }
    st->nrows = 0;
    for (size_t i = 0; i < p->nreasons && st->nrows < MAX_ROWS; i++) {
        struct lrow *r = &st->rows[st->nrows++];
        r->cum = &p->reasons[i];
        const struct park_hist_sample *ph =
            interval ? park_find_reason(&v->prev->park, p->reasons[i].reason) : NULL;
        if (park_hist_delta(ph, r->cum, &r->h) < 0)
            park_hist_delta(NULL, r->cum, &r->h);
    }
    if (park_hist_delta(interval ? &v->prev->park.wake : NULL, &p->wake, wake) < 0)
        park_hist_delta(NULL, &p->wake, wake);
    sort_state = st;
    qsort(st->rows, st->nrows, sizeof(st->rows[0]), row_cmp);
    sort_state = NULL;
    return secs;
}

/* Waits the probe could not time in the interval: they began while it was off (no
 * start seen) or in an earlier attached window (their end may have been missed). */
static uint64_t waits_uncounted(const struct pane_view *v)
{
    const struct park_sample *p = &v->cur->park;
    uint64_t n = p->events[PARK_EV_NO_START] + p->events[PARK_EV_STALE];
    if (park_same_epoch(v->prev, v->cur)) {
        uint64_t before = v->prev->park.events[PARK_EV_NO_START] +
                          v->prev->park.events[PARK_EV_STALE];
        n = n >= before ? n - before : 0;
    }
    return n;
}

static int draw_status(const struct pane_view *v, int y, int x, int w, int end)
{
    const struct park_sample *p = &v->cur->park;
    enum theme_role role = p->state == PARK_GOV_ON ? THEME_OK
                         : p->state == PARK_GOV_SAMPLING ? THEME_WARN : THEME_CRIT;
    const char *state = p->state == PARK_GOV_ON ? "probe on"
                      : p->state == PARK_GOV_SAMPLING ? "probe sampling"
                      : p->state == PARK_GOV_OFF ? "probe off" : "probe unavailable";
    char cost[24], rate[24], est[24], meas[24], err[24];
    double us = isnan(p->gov_cost_ns) ? p->cost_ns : p->gov_cost_ns;
    draw_fmt_num(cost, sizeof(cost), isnan(us) ? NAN : us / 1e3, 2, 6);
    draw_fmt_num(rate, sizeof(rate), p->events_per_s, 0, 8);
    draw_fmt_num(est, sizeof(est), p->est_overhead_pct, 2, 6);
    attron(draw_role(role) | A_BOLD);
    int used = draw_text(y, x, w, state);
    attroff(draw_role(role) | A_BOLD);
    draw_printf(y, x + used, w - used, "  %s  %s us/event (%s)  %s events/s  cost %s%% of a "
                "core (budget %.1f%%)", p->probe, cost,
                p->cost_measured ? "measured" : "calibrated", rate, est, p->budget_pct);
    y++;
    /* The meter's figure beside the model's: what the target's own CPU times say it paid. */
    if (y < end && isfinite(p->measured_overhead_pct)) {
        draw_fmt_num(meas, sizeof(meas), p->measured_overhead_pct, 2, 6);
        draw_fmt_num(err, sizeof(err), p->measured_err_pct, 2, 6);
        draw_printf(y++, x, w, "measured on the target: %s%% of a core over 30 s (+-%s; its "
                    "CPU times attached vs detached)", meas,
                    isfinite(p->measured_err_pct) ? err : "?");
    } else if (y < end && p->state != PARK_GOV_UNAVAILABLE) {
        draw_printf(y++, x, w, "measured on the target: not yet (needs time both attached and "
                    "detached; attached all the time, the model is %s",
                    p->ref_windows ? "checked every 10 s)" : "far under the budget)");
    }
    /* gmptop's own CPU counts in the same budget where it displaced the target's. */
    if (y < end && isfinite(p->self_overhead_pct) && p->self_overhead_pct >= 0.005) {
        char self[24];
        draw_fmt_num(self, sizeof(self), p->self_overhead_pct, 2, 6);
        draw_printf(y++, x, w, "gmptop itself: %s%% of a core taken from busy CPUs (its own "
                    "CPU; counted in the budget, the probe plans with the rest)", self);
    }
    if (y < end && p->state != PARK_GOV_ON) {
        attron(draw_role(role));
        y += draw_wrap(y, x, w, end - y > 2 ? 2 : end - y, p->why);
        attroff(draw_role(role));
    }
    uint64_t lost = waits_uncounted(v);
    if (y < end && lost) {
        attron(draw_role(THEME_WARN));
        draw_printf(y++, x, w, "%llu waits not timed: they began while the probe was off "
                    "(longer than the attached window); the histograms leave them out",
                    (unsigned long long)lost);
        attroff(draw_role(THEME_WARN));
    }
    return y;
}

static void draw_table(struct latency_pane *st, double secs, int y, int x, int w, int end)
{
    if (y >= end)
        return;
    draw_layout(col_spec, st->place, LC_COUNT_COLS, x, w);
    st->head_y = y;
    draw_table_header(y++, st->place, LC_COUNT_COLS, st->sort_col, st->desc, x, w);
    int page = end - y;
    if (page <= 0)
        return;
    if (st->top + (size_t)page > st->nrows)
        st->top = st->nrows > (size_t)page ? st->nrows - (size_t)page : 0;
    for (size_t i = st->top; i < st->nrows && y < end; i++, y++) {
        const struct lrow *r = &st->rows[i];
        char cell[LC_COUNT_COLS][48];
        snprintf(cell[LC_REASON], sizeof(cell[0]), "%s", r->cum->name);
        snprintf(cell[LC_COUNT], sizeof(cell[0]), "%llu", (unsigned long long)r->h.count);
        draw_fmt_num(cell[LC_RATE], sizeof(cell[0]), row_value(r, LC_RATE, secs), 1, 8);
        fmt_q(cell[LC_P50], sizeof(cell[0]), &r->h, 500);
        fmt_q(cell[LC_P99], sizeof(cell[0]), &r->h, 990);
        if (r->h.count)
            fmt_ns(cell[LC_MAX], sizeof(cell[0]), r->h.max_ns);
        else
            snprintf(cell[LC_MAX], sizeof(cell[0]), "n/a");
        if (r->h.count)
            fmt_ns(cell[LC_MEAN], sizeof(cell[0]), r->h.sum_ns / r->h.count);
        else
            snprintf(cell[LC_MEAN], sizeof(cell[0]), "n/a");
        attr_t a = r->h.count ? A_NORMAL : draw_role(THEME_DIM);
        for (int c = 0; c < LC_COUNT_COLS; c++)
            draw_cell(y, &st->place[c], cell[c], a);
    }
}

/* Histograms side by side in one band: as many as fit at >= 34 columns each. */
static void draw_band(struct hview *views, size_t n, int y, int x, int w, int h)
{
    if (n == 0 || h < 2)
        return;
    size_t fit = (size_t)(w / 34);
    if (fit == 0)
        fit = 1;
    if (n > fit)
        n = fit;
    int each = w / (int)n;
    for (size_t i = 0; i < n; i++)
        draw_hview(&views[i], y, x + (int)i * each, each - 2, h);
}

static void draw_unavailable(const struct pane_view *v, int *y, int x, int w, int end)
{
    const struct collector_status *cs = v->cur ? snapshot_status(v->cur, "park") : NULL;
    attron(draw_role(THEME_WARN) | A_BOLD);
    draw_text((*y)++, x, w, "Park latency (BPF) unavailable");
    attroff(draw_role(THEME_WARN) | A_BOLD);
    if (*y < end)
        *y += draw_wrap(*y, x, w, end - *y > 3 ? 3 : end - *y,
                        cs && cs->reason[0] ? cs->reason
                        : "the park collector did not run (see --list-collectors)");
    if (*y < end)
        (*y)++;
}

static void latency_draw(struct pane *pn, const struct pane_view *v, const struct pane_rect *r)
{
    struct latency_pane *st = pn->priv;
    int y = r->y, x = r->x + 1, w = r->w - 2, end = r->y + r->h;
    st->head_y = -1;             /* until the table is drawn */
    if (y >= end || w < 20)
        return;
    if (!v->cur) {
        draw_text(y, x, w, "No process attached.");
        return;
    }
    static struct hview views[4];
    struct hview rt;
    bool have_rt = hview_from_runtime(&rt, v, st->since_attach);
    const struct park_sample *p = &v->cur->park;
    if (!p->valid) {
        draw_unavailable(v, &y, x, w, end);
        if (have_rt)
            draw_hview(&rt, y, x, w < 70 ? w : 70, end - y);
        return;
    }
    y = draw_status(v, y, x, w, end);
    struct park_hist_sample wake;
    double secs = build_rows(st, v, &wake);
    if (y < end)
        draw_printf(y++, x, w, "%s (%.1f s observed)   v toggles   < > sort   I inverts   "
                    "up/down scroll",
                    st->since_attach ? "since attach"
                    : st->fell_back  ? "probe off this interval; since attach"
                                     : "last interval", secs);
    size_t nv = 0;
    struct lrow *lead[4];
    size_t nlead = 0;
    for (size_t i = 0; i < st->nrows && nlead < 4; i++)
        if (st->rows[i].h.count)
            lead[nlead++] = &st->rows[i];
    /* The busiest reasons whatever the table's order. */
    for (size_t i = 1; i < nlead; i++)
        for (size_t k = i; k > 0 && lead[k]->h.count > lead[k - 1]->h.count; k--) {
            struct lrow *t = lead[k];
            lead[k] = lead[k - 1];
            lead[k - 1] = t;
        }
    for (size_t i = 0; i < nlead; i++)
        hview_from_park(&views[nv++], &lead[i]->h, lead[i]->cum->name, secs);
    struct hview both[2];
    hview_from_park(&both[0], &wake, "Wake-to-run (BPF)", secs);
    size_t nb = 1;
    if (have_rt)
        both[nb++] = rt;

    /* Height: the leading reasons' histograms, the table, wake-to-run vs runtime; each
     * band no taller than its histograms need, rows left over go to them (up to 6
     * more each), then stay blank below everything. */
    int need_band = 0, need_bottom = 0;
    for (size_t i = 0; i < nv; i++)
        if (hview_rows(&views[i]) > need_band)
            need_band = hview_rows(&views[i]);
    for (size_t i = 0; i < nb; i++)
        if (hview_rows(&both[i]) > need_bottom)
            need_bottom = hview_rows(&both[i]);
    int room = end - y;
    int band = min_int(room >= 30 ? 10 : room >= 20 ? 7 : 0, need_band);
    int bottom = min_int(room >= 24 ? 9 : room >= 14 ? 6 : 0, need_bottom);
    int table = (int)st->nrows + 1;
    int spare = room - band - bottom - table - 1;
    if (spare > 0 && band) {
        int more = min_int(min_int(spare / 2, 6), need_band - band);
        band += more;
        spare -= more;
    }
    if (spare > 0 && bottom)
        bottom += min_int(min_int(spare, 6), need_bottom - bottom);
    if (band && nv) {
        draw_band(views, nv, y, x, w, band);
        y += band;
    }
    /* The table takes what the bottom band leaves, and the band follows it closely. */
    int table_end = end - bottom;
    if (y + table + 1 < table_end)
        table_end = y + table + 1;
    draw_table(st, secs, y, x, w, table_end);
    if (bottom)
        draw_band(both, nb, table_end, x, w, bottom);
}

/* Reasons sort A-Z, figures biggest first. */
static void set_sort(struct latency_pane *st, int col)
{
    st->sort_col = (col + LC_COUNT_COLS) % LC_COUNT_COLS;
    st->desc = st->sort_col != LC_REASON;
}

static bool latency_key(struct pane *pn, const struct pane_view *v, int ch)
{
    (void)v;
    struct latency_pane *st = pn->priv;
    switch (ch) {
    case 'v': case 'V':
        st->since_attach = !st->since_attach;
        return true;
    case '>': case '.': case KEY_F(6):
        set_sort(st, st->sort_col + 1);
        return true;
    case '<': case ',':
        set_sort(st, st->sort_col - 1);
        return true;
    case 'I':
        st->desc = !st->desc;
        return true;
    case KEY_UP: case 'k':
        if (st->top > 0)
            st->top--;
        return true;
    case KEY_DOWN: case 'j':
        if (st->top + 1 < st->nrows)
            st->top++;
        return true;
    default:
        return false;
    }
}

/* A click on a column title sorts the table by it (again: the other way). */
static bool latency_mouse(struct pane *pn, const struct pane_view *v,
                          const struct mouse_event *ev, const struct pane_rect *r)
{
    (void)v;
    (void)r;
    struct latency_pane *st = pn->priv;
    if (ev->what != MOUSE_CLICK || st->head_y < 0 || ev->y != st->head_y)
        return false;
    int col = draw_col_at(st->place, LC_COUNT_COLS, ev->x);
    if (col < 0)
        return false;
    if (col == st->sort_col)
        st->desc = !st->desc;
    else
        set_sort(st, col);
    return true;
}

static void latency_reset(struct pane *pn)
{
    struct latency_pane *st = pn->priv;
    st->top = 0;
    st->nrows = 0;
}

static void latency_destroy(struct pane *pn)
{
    free(pn->priv);
    pn->priv = NULL;
}

int pane_latency_init(struct pane *p)
{
    struct latency_pane *st = calloc(1, sizeof(*st));
    if (!st)
        return -ENOMEM;
    st->sort_col = LC_COUNT;
    st->desc = true;
    st->head_y = -1;
    p->tab = "Latency";
    p->short_tab = "Lat";
    p->draw = latency_draw;
    p->key = latency_key;
    p->mouse = latency_mouse;
    p->reset = latency_reset;
    p->destroy = latency_destroy;
    p->priv = st;
    p->which = PANE_LATENCY;
    return 0;
}
