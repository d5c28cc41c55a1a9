/* pane_pending: placeholders for the panes still to be built, saying what each will show. */
#include "pane.h"

#include <ncurses.h>

#include "draw.h"

struct pending_info {
    const char *tab, *short_tab, *title, *what, *issue;
};

static const struct pending_info pending[PANE_THREADS] = {
    [PANE_LATENCY] = {
        "Latency", "Lat", "Latency",
        "How long goroutines wait: a histogram of scheduling latency (from ready to "
        "run until actually running on a P), and of how long goroutines stay blocked, "
        "split by the reason they blocked (channel receive or send, mutex, sleep, "
        "system call, network).",
        "Coming in issue #4: latency pane",
    },
    [PANE_CORES] = {
        "Cores", "Core", "Cores",
        "What each CPU core under the program is doing: how busy it is, how often it "
        "switches between threads, how many threads move onto it, and, where the "
        "machine has hardware counters, cache misses and instructions per cycle.",
        "Coming in issue #5: cores pane",
    },
    [PANE_NUMA] = {
        "NUMA", "NUMA", "NUMA",
        "Where the program's memory lives on machines with several memory nodes: pages "
        "per NUMA node split by kind (heap, goroutine stacks, files), which node each "
        "thread is running on, and how much memory each node has free.",
        "Coming in issue #6: NUMA pane",
    },
};

static void pending_draw(struct pane *p, const struct pane_view *v,
                         const struct pane_rect *r)
{
    (void)v;
    if (p->which < 0 || p->which >= PANE_THREADS || !pending[p->which].tab)
        return;
    const struct pending_info *info = &pending[p->which];
    int y = r->y, end = r->y + r->h;
    if (y >= end)
        return;
    attron(draw_role(THEME_TITLE));
    draw_text(y++, r->x + 1, r->w - 2, info->title);
    attroff(draw_role(THEME_TITLE));
    if (y < end && r->h > 6)
        y++;
    /* The issue line matters most: keep room for it when the screen is short. */
    int room = end - y - 2;
    if (room > 0)
        y += draw_wrap(y, r->x + 1, r->w - 2, room, info->what);
    if (y < end - 1)
        y++;
    if (y < end) {
        attron(draw_role(THEME_WARN));
        y += draw_wrap(y, r->x + 1, r->w - 2, end - y, info->issue);
        attroff(draw_role(THEME_WARN));
    }
}

void pane_pending_init(struct pane *p, enum pane_id which)
{
    /* A pane that is built has no entry here: keep the tabs row drawable regardless. */
    bool known = (int)which >= 0 && which < PANE_THREADS && pending[which].tab;
    p->tab = known ? pending[which].tab : "?";
    p->short_tab = known ? pending[which].short_tab : "?";
    p->draw = pending_draw;
    p->key = NULL;
    p->reset = NULL;
    p->destroy = NULL;
    p->priv = NULL;
    p->which = (int)which;
}
