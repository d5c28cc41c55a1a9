/* cpu_stacks: the hottest stacks of the last minute through one function, so "this
 * function is hot" comes with "called from where": each stack's share of the samples
 * and its frames innermost first, the function itself marked, the runtime's frames dim. */
#include "tui/cpu_tui.h"

#include <stdio.h>
#include <string.h>
#include <ncurses.h>

#include "tui/draw.h"
#include "tui/text_lines.h"

/* Every kept stack at its deepest, with a heading and a blank line each, and the top. */
#define MAX_LINES (CPUPROF_HOT_MAX * (GSTACK_MAX_FRAMES + 3) + 8)
#define FUNC_COL_MAX 60          /* a longer name pushes its file:line along instead */

const char *cpu_file_base(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

static bool same_func(const char *a, const char *b)
{
    return a == b || strcmp(a, b) == 0;
}

static bool stack_has(const struct gstack *st, const char *func)
{
    for (size_t i = 0; st && i < st->nframes; i++)
        if (same_func(st->frames[i].func, func))
            return true;
    return false;
}

static double pct(int64_t part, int64_t whole)
{
    return whole > 0 ? 100.0 * (double)part / (double)whole : 0.0;
}

/* The runtime's own frames are dim: they are where the time went, rarely what to fix. */
static attr_t frame_attr(const struct gframe *f, const char *func)
{
    if (same_func(f->func, func))
        return draw_role(THEME_TITLE) | A_BOLD;
    return strncmp(f->func, "runtime.", 8) == 0 ? draw_role(THEME_DIM) : A_NORMAL;
}

static void add_stack(struct text_lines *l, const struct cpuprof_hot *h, int64_t total,
                      const char *func)
{
    const struct gstack *st = h->stack;
    text_lines_add(l, draw_role(THEME_TABLE_HEADER), "%5.1f%% of the samples (%lld)%s",
        pct(h->samples, total), (long long)h->samples,
        st->truncated ? "  deeper than shown: the outermost frames are cut" : "");
    int fw = 0;
    for (size_t i = 0; i < st->nframes; i++) {
        int w = (int)strlen(st->frames[i].func);
        fw = w > fw ? w : fw;
    }
    fw = fw > FUNC_COL_MAX ? FUNC_COL_MAX : fw;
    for (size_t i = 0; i < st->nframes; i++) {
        const struct gframe *f = &st->frames[i];
        text_lines_add(l, frame_attr(f, func), "%s %-*s  %s:%d%s",
                       same_func(f->func, func) ? ">" : " ",
            fw, f->func, f->file[0] ? cpu_file_base(f->file) : "?", (int)f->line,
            f->inlined ? "  (inlined)" : "");
    }
    text_lines_add(l, A_NORMAL, "%s", "");
}

static void build(const struct cpuprof_sample *cp, const char *func, struct text_lines *l)
{
    int shown = 0;
    text_lines_add(l, draw_role(THEME_TITLE), "Hottest stacks through %s, last %.0f s "
        "(%lld samples)", func, cp->minute_s, (long long)cp->minute_samples);
    for (size_t i = 0; i < cp->nminute; i++)
        if (same_func(cp->minute[i].func, func))
            text_lines_add(l, A_NORMAL, "%s: self %.1f%%, total %.1f%% of the samples; innermost "
                "frame first, > marks it", func, pct(cp->minute[i].self, cp->minute_samples),
                pct(cp->minute[i].total, cp->minute_samples));
    text_lines_add(l, A_NORMAL, "%s", "");
    for (size_t i = 0; i < cp->nhot; i++) {
        if (!stack_has(cp->hot[i].stack, func))
            continue;
        add_stack(l, &cp->hot[i], cp->minute_samples, func);
        shown++;
    }
    if (!shown)
        text_lines_add(l, draw_role(THEME_DIM), "None of the %u hottest stacks of the last %.0f s "
            "goes through %s: it ran in rarer stacks, or not in the last minute.",
            (unsigned)cp->nhot, cp->minute_s, func);
}

void cpu_stacks_draw(const struct cpuprof_sample *cp, const char *func,
                     const struct pane_rect *r, int *scroll)
{
    static struct text_line lines[MAX_LINES];
    struct text_lines t = { lines, 0, MAX_LINES };
    if (func)
        build(cp, func, &t);
    text_lines_draw(&t, r, scroll, "Esc, Enter or q: back to the functions   "
                    "Up/Down, PgUp/PgDn: scroll");
}
