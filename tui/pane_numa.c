/* pane_numa: where the target's memory and threads live per NUMA node: pages by kind,
 * threads and Ps per node, local share, node memory, distances, policy and sources. */
#include "tui/pane.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ncurses.h>

#include "tui/draw.h"
#include "model/placement.h"
#include "model/rates.h"
#include "base/util.h"

/* Below this share of memory on the nodes its code runs on, the pane warns; only
 * meaningful with two nodes or more (one node is always 100% local). */
#define LOCAL_WARN_PCT 50.0

enum ncol { NC_NODE, NC_CPUS, NC_MEM, NC_THR, NC_PS, NC_HEAP, NC_STACK, NC_ANON, NC_FILE,
            NC_HUGE, NC_TOTAL, NC_SAMPLED, NC_BAR, NC_COUNT };

static const struct draw_col_spec col_spec[NC_COUNT] = {
    [NC_NODE]    = { .title = "NODE", .width = 4, .min_width = 4, .right = true },
    [NC_CPUS]    = { .title = "CPUS", .width = 7, .min_width = 4, .rank = 6 },
    [NC_MEM]     = { .title = "FREE/TOTAL", .width = 13,
                     .min_width = 13, .rank = 5, .right = true },
    [NC_THR]     = { .title = "THR", .width = 4, .min_width = 4, .rank = 2, .right = true },
    [NC_PS]      = { .title = "Ps", .width = 3, .min_width = 3, .rank = 3, .right = true },
    [NC_HEAP]    = { .title = "HEAP", .width = 7, .min_width = 7, .rank = 1, .right = true },
    [NC_STACK]   = { .title = "STACK", .width = 7, .min_width = 7, .rank = 9, .right = true },
    [NC_ANON]    = { .title = "ANON", .width = 7, .min_width = 7, .rank = 8, .right = true },
    [NC_FILE]    = { .title = "FILE", .width = 7, .min_width = 7, .rank = 7, .right = true },
    [NC_HUGE]    = { .title = "HUGE", .width = 7, .min_width = 7, .rank = 10, .right = true },
    [NC_TOTAL]   = { .title = "TOTAL", .width = 7, .min_width = 7, .right = true },
    [NC_SAMPLED] = { .title = "HEAP% smp", .width = 9, .min_width = 9, .rank = 11, .right = true },
    [NC_BAR]     = { .title = "MEMORY BY KIND", .width = 24,
                     .min_width = 8, .rank = 4, .flex = true },
};

static const enum ncol kind_col[NUMA_KIND_COUNT] = {
    [NUMA_KIND_HEAP] = NC_HEAP, [NUMA_KIND_STACK] = NC_STACK, [NUMA_KIND_ANON] = NC_ANON,
    [NUMA_KIND_FILE] = NC_FILE, [NUMA_KIND_HUGE] = NC_HUGE,
};
/* Each kind has its own glyph as well as colour, so the bars read in monochrome. */
static const char kind_glyph[NUMA_KIND_COUNT] = { '#', '=', '+', '-', '*' };
static const char *const kind_name[NUMA_KIND_COUNT] = { "heap", "stack", "anon", "file",
                                                        "huge" };
static const enum theme_role kind_role[NUMA_KIND_COUNT] = {
    THEME_NODE0, THEME_NODE1, THEME_NODE2, THEME_NODE3, THEME_BAR_MID,
};

struct numa_pane {
    struct draw_col_place place[NC_COUNT];
    int scroll;               /* lines skipped at the top */
    int lines;                /* content lines at the last draw */
    int page;
};

/* A line cursor: content scrolls under a fixed rectangle. */
struct cur {
    int y0, end, line, skip, x, w;
};

static int cur_row(struct cur *c)
{
    int row = c->y0 + c->line - c->skip;
    c->line++;
    return row >= c->y0 && row < c->end ? row : -1;
}

/* The snapshot counts base pages. */
static int page_kb(void)
{
    long ps = sysconf(_SC_PAGESIZE);
    return ps >= 1024 ? (int)(ps / 1024) : 4;
}

static void kib_text(char *buf, size_t len, int64_t pages, int page_kb)
{
    if (pages < 0)
        snprintf(buf, len, "n/a");
    else
        util_format_kb(buf, len, (unsigned long long)pages * (unsigned long long)page_kb);
}

static void text_line(struct cur *c, enum theme_role role, const char *text)
{
    /* Wrapped text takes several content lines. */
    int n = draw_wrap(0, 0, c->w, 0, text);
    for (int i = 0; i < n; i++) {
        int row = cur_row(c);
        if (row < 0)
            continue;
        attron(draw_role(role));
        draw_wrap_skip(row, c->x, c->w, i, 1, text);
        attroff(draw_role(role));
    }
}

static void summary(struct cur *c, const struct snapshot *s)
{
    const struct numa_sample *ns = &s->numa;
    char line[512];
    snprintf(line, sizeof(line), "Policy %s%s   Mems allowed %s   CPUs allowed %s   cpuset %s",
             ns->policy[0] ? ns->policy : "n/a",
             ns->policy_count > 1 ? " (and others)" : "",
             ns->mems_allowed[0] ? ns->mems_allowed : "n/a",
             ns->cpus_allowed[0] ? ns->cpus_allowed : "n/a",
             ns->cpuset[0] ? ns->cpuset : "n/a");
    text_line(c, THEME_NORMAL, line);
    if (ns->nnodes <= 1) {
        text_line(c, THEME_OK, "One NUMA node: all memory is local to every CPU, nothing "
                  "to balance.");
    } else if (isnan(ns->local_pct)) {
        text_line(c, THEME_DIM, "Local memory: n/a (no thread placement or no page counts "
                  "yet).");
    } else {
        snprintf(line, sizeof(line), "Local memory ~%.0f%%: share of the memory on the "
                 "node where its %s run (estimate, assuming even access)%s",
                 ns->local_pct, ns->local_basis && strcmp(ns->local_basis, "ps") == 0
                 ? "Ps' threads" : "threads",
                 ns->local_pct < LOCAL_WARN_PCT ? " - mostly remote" : "");
        text_line(c, ns->local_pct < LOCAL_WARN_PCT ? THEME_WARN : THEME_OK, line);
    }
}

static void sources(struct cur *c, const struct numa_sample *ns)
{
    char line[512], a[96], b[256];
    if (isnan(ns->scan_age_s))
        snprintf(a, sizeof(a), "numa_maps: no scan yet");
    else
        snprintf(a, sizeof(a), "numa_maps scan %.1f ms, %.1f s old (every %.0f s)",
                 ns->scan_cost_ms, ns->scan_age_s, ns->scan_interval_s);
    if (ns->sampled_pages > 0 && !isnan(ns->sample_error_pct))
        snprintf(b, sizeof(b), "move_pages: %lld heap pages sampled, +-%.2f%% (%.2f ms)",
                 (long long)ns->sampled_pages, ns->sample_error_pct, ns->sample_cost_ms);
    else if (ns->sampled_pages > 0)
        snprintf(b, sizeof(b), "move_pages: %lld heap pages sampled (%.2f ms)",
                 (long long)ns->sampled_pages, ns->sample_cost_ms);
    else
        snprintf(b, sizeof(b), "move_pages sampling: %s",
                 ns->sample_note[0] ? ns->sample_note : "n/a");
    snprintf(line, sizeof(line), "%s   %s", a, b);
    text_line(c, THEME_DIM, line);
    if (ns->scan_error[0]) {
        snprintf(line, sizeof(line), "Last scan failed: %s", ns->scan_error);
        text_line(c, THEME_WARN, line);
    }
}

static void kind_bar(int y, const struct draw_col_place *col, const struct numa_node_sample *n,
                     int64_t max_total)
{
    if (!col->shown || n->pages_total <= 0 || max_total <= 0)
        return;
    int w = (int)((double)col->w * (double)n->pages_total / (double)max_total + 0.5);
    if (w < 1)
        w = 1;
    int x = col->x, used = 0;
    double acc = 0;
    for (int k = 0; k < NUMA_KIND_COUNT && used < w; k++) {
        if (n->pages[k] <= 0)
            continue;
        acc += (double)w * (double)n->pages[k] / (double)n->pages_total;
        int upto = (int)(acc + 0.5);
        if (upto <= used)
            upto = used + 1;      /* every present kind shows at least one cell */
        if (upto > w)
            upto = w;
        attron(draw_role(kind_role[k]));
        for (; used < upto; used++)
            mvaddch(y, x + used, (chtype)kind_glyph[k]);
        attroff(draw_role(kind_role[k]));
    }
}

static void node_row(struct numa_pane *st, int y, const struct numa_sample *ns, size_t i,
                     int64_t max_total)
{
    const struct numa_node_sample *n = &ns->nodes[i];
    const struct draw_col_place *col = st->place;
    char buf[64], a[16], b[16];
    attr_t dim = draw_role(THEME_DIM);
    snprintf(buf, sizeof(buf), "%d", n->node);
    draw_cell(y, &col[NC_NODE], buf, draw_role((enum theme_role)(THEME_NODE0 + n->node % 4)));
    draw_cell(y, &col[NC_CPUS], n->cpus[0] ? n->cpus : "n/a", n->cpus[0] ? A_NORMAL : dim);
    if (n->mem_total_kb >= 0 && n->mem_free_kb >= 0) {
        util_format_kb(a, sizeof(a), (unsigned long long)n->mem_free_kb);
        util_format_kb(b, sizeof(b), (unsigned long long)n->mem_total_kb);
        snprintf(buf, sizeof(buf), "%s/%s", a, b);
        draw_cell(y, &col[NC_MEM], buf, A_NORMAL);
    } else {
        draw_cell(y, &col[NC_MEM], "n/a", dim);
    }
    snprintf(buf, sizeof(buf), "%d", n->threads);
    draw_cell(y, &col[NC_THR], buf, A_NORMAL);
    snprintf(buf, sizeof(buf), "%d", n->ps);
    draw_cell(y, &col[NC_PS], buf, A_NORMAL);
    for (int k = 0; k < NUMA_KIND_COUNT; k++) {
        kib_text(buf, sizeof(buf), n->pages[k], page_kb());
        draw_cell(y, &col[kind_col[k]], buf, n->pages[k] < 0 ? dim : A_NORMAL);
    }
    kib_text(buf, sizeof(buf), n->pages_total, page_kb());
    draw_cell(y, &col[NC_TOTAL], buf, n->pages_total < 0 ? dim : A_BOLD);
    if (draw_fmt_num(buf, sizeof(buf), n->heap_sampled_pct, 1, col[NC_SAMPLED].w))
        draw_cell(y, &col[NC_SAMPLED], buf, A_NORMAL);
    else
        draw_cell(y, &col[NC_SAMPLED], buf, dim);
    kind_bar(y, &col[NC_BAR], n, max_total);
}

static void node_table(struct numa_pane *st, struct cur *c, const struct numa_sample *ns)
{
    draw_layout(col_spec, st->place, NC_COUNT, c->x, c->w);
    int row = cur_row(c);
    if (row >= 0)
        draw_table_header(row, st->place, NC_COUNT, -1, false, c->x, c->w);
    int64_t max_total = 0;
    for (size_t i = 0; i < ns->nnodes; i++)
        if (ns->nodes[i].pages_total > max_total)
            max_total = ns->nodes[i].pages_total;
    for (size_t i = 0; i < ns->nnodes; i++)
        if ((row = cur_row(c)) >= 0)
            node_row(st, row, ns, i, max_total);
    if ((row = cur_row(c)) < 0 || !st->place[NC_BAR].shown)
        return;
    /* Legend under the bars. */
    int x = st->place[NC_BAR].x, end = c->x + c->w;
    for (int k = 0; k < NUMA_KIND_COUNT && x < end - 2; k++) {
        attron(draw_role(kind_role[k]));
        mvaddch(row, x, (chtype)kind_glyph[k]);
        attroff(draw_role(kind_role[k]));
        x += 2 + draw_text(row, x + 1, end - x - 1, kind_name[k]);
    }
}

/* "P0:n0  P1:-(idle) ...": the node each P's thread last ran on, from placement_p(),
 * which also counted the Ps column above, so the line and the column always agree. A P
 * with no M at this instant (idle; or in a syscall before Go 1.26 when the M holding
 * it in m.oldp was not found) has no thread to place; its status says why. */
static void p_nodes(struct cur *c, const struct snapshot *s)
{
    const struct sched_sample *ss = &s->sched;
    if (!ss->valid || ss->nps == 0) {
        text_line(c, THEME_DIM, "Ps: n/a (scheduler not read)");
        return;
    }
    char line[1024];
    size_t o = (size_t)snprintf(line, sizeof(line), "Node of each P's thread:");
    for (size_t i = 0; i < ss->nps && o < sizeof(line) - 24; i++) {
        int cpu, node;
        pid_t tid = placement_p(s, i, &cpu, &node);
        if (node >= 0)
            o += (size_t)snprintf(line + o, sizeof(line) - o, "  P%d:n%d", ss->ps[i].id, node);
        else if (tid > 0)
            o += (size_t)snprintf(line + o, sizeof(line) - o, "  P%d:-", ss->ps[i].id);
        else
            o += (size_t)snprintf(line + o, sizeof(line) - o, "  P%d:-(%s)", ss->ps[i].id,
                                  rates_p_status_name(ss->ps[i].status));
    }
    text_line(c, THEME_NORMAL, line);
}

static void distances(struct cur *c, const struct numa_sample *ns)
{
    if (ns->nnodes == 0)
        return;
    int row = cur_row(c);
    if (row >= 0) {
        attron(draw_role(THEME_TABLE_HEADER));
        int x = c->x + draw_text(row, c->x, c->w, "DISTANCE");
        for (size_t j = 0; j < ns->nnodes && x + 5 <= c->x + c->w; j++)
            x += draw_printf(row, x, 5, "%4s%d", "n", ns->nodes[j].node);
        attroff(draw_role(THEME_TABLE_HEADER));
    }
    for (size_t i = 0; i < ns->nnodes; i++) {
        if ((row = cur_row(c)) < 0)
            continue;
        int x = c->x + draw_printf(row, c->x, c->w, "%7s%-1d", "n", ns->nodes[i].node);
        for (size_t j = 0; j < ns->nnodes && x + 5 <= c->x + c->w; j++) {
            int32_t d = ns->distance[i * ns->nnodes + j];
            if (d < 0)
                x += draw_printf(row, x, 5, "%5s", "n/a");
            else
                x += draw_printf(row, x, 5, "%5d", d);
        }
    }
}

static void draw_unavailable(const struct pane_view *v, struct cur *c)
{
    const struct collector_status *cs = snapshot_status(v->cur, "numa");
    char line[SNAPSHOT_REASON_LEN + 80];
    if (!cs)
        snprintf(line, sizeof(line), "NUMA data unavailable: the numa collector is not "
                 "running (see --collectors).");
    else
        snprintf(line, sizeof(line), "NUMA data unavailable: %s.",
                 cs->reason[0] ? cs->reason : "no reason given");
    text_line(c, THEME_WARN, line);
}

static void numa_draw(struct pane *p, const struct pane_view *v, const struct pane_rect *r)
{
    struct numa_pane *st = p->priv;
    struct cur c = { r->y, r->y + r->h, 0, st->scroll, r->x + 1, r->w - 2 };
    st->page = r->h;
    if (!v->cur) {
        draw_wrap(r->y, r->x + 1, r->w - 2, r->h, v->s && v->s->attached
                  ? "Waiting for the first sample..."
                  : "No process attached. Press p to pick one.");
        return;
    }
    const struct numa_sample *ns = &v->cur->numa;
    if (!ns->valid) {
        draw_unavailable(v, &c);
        st->lines = c.line;
        return;
    }
    summary(&c, v->cur);
    sources(&c, ns);
    c.line++;
    node_table(st, &c, ns);
    c.line++;
    p_nodes(&c, v->cur);
    if (ns->nnodes > 1 || c.end - c.y0 - c.line > 2) {
        c.line++;
        distances(&c, ns);
    }
    st->lines = c.line;
    if (st->scroll > 0 && st->lines - st->scroll < r->h)
        st->scroll = st->lines > r->h ? st->lines - r->h : 0;
}

static bool numa_key(struct pane *p, const struct pane_view *v, int ch)
{
    (void)v;
    struct numa_pane *st = p->priv;
    int max = st->lines > st->page ? st->lines - st->page : 0, s = st->scroll;
    switch (ch) {
    case KEY_UP: case 'k':   s--; break;
    case KEY_DOWN: case 'j': s++; break;
    case KEY_PPAGE:          s -= st->page > 1 ? st->page - 1 : 1; break;
    case KEY_NPAGE:          s += st->page > 1 ? st->page - 1 : 1; break;
    case KEY_HOME: case 'g': s = 0; break;
    case KEY_END: case 'G':  s = max; break;
    default:                 return false;
    }
    st->scroll = s < 0 ? 0 : s > max ? max : s;
    return true;
}

static void numa_reset(struct pane *p)
{
    struct numa_pane *st = p->priv;
    st->scroll = 0;
}

static void numa_destroy(struct pane *p)
{
    free(p->priv);
    p->priv = NULL;
}

int pane_numa_init(struct pane *p)
{
    struct numa_pane *st = calloc(1, sizeof(*st));
    if (!st)
        return -ENOMEM;
    p->tab = "NUMA";
    p->short_tab = "NUMA";
    p->draw = numa_draw;
    p->key = numa_key;
    p->reset = numa_reset;
    p->destroy = numa_destroy;
    p->priv = st;
    p->which = PANE_NUMA;
    return 0;
}
