/* tabs: the pane tabs row: full labels when they fit, short ones next, and at the
 * narrowest bare digits with only the active pane named, so that every pane's key stays
 * on screen however many panes there are. */
#include "tui/tabs.h"

#include <stdio.h>
#include <string.h>
#include <ncurses.h>

#include "tui/draw.h"

enum tabs_style { TABS_FULL, TABS_SHORT, TABS_DIGITS };

/* "3 Cores", "3 Core", or "3" (digits style, a pane not in view). */
static void tab_label(char *buf, size_t len, const struct pane *p, int i, enum tabs_style st,
                      bool active)
{
    if (st == TABS_FULL)
        snprintf(buf, len, "%d %s", i + 1, p->tab);
    else if (st == TABS_SHORT || active)
        snprintf(buf, len, "%d %s", i + 1, p->short_tab);
    else
        snprintf(buf, len, "%d", i + 1);
}

static int tabs_gap(enum tabs_style st) { return st == TABS_FULL ? 2 : 1; }

static int tabs_width(const struct pane *panes, int n, int active, enum tabs_style st)
{
    char label[32];
    int w = 0;
    for (int i = 0; i < n; i++) {
        tab_label(label, sizeof(label), &panes[i], i, st, i == active);
        w += draw_text_width(label) + (i ? tabs_gap(st) : 0);
    }
    return w;
}

void tabs_draw(const struct pane *panes, int n, int active, struct mouse_hits *hits, int y,
               int cols)
{
    enum tabs_style st = TABS_FULL;
    while (st < TABS_DIGITS && tabs_width(panes, n, active, st) + 1 > cols)
        st++;
    char label[32];
    int x = 1;
    for (int i = 0; i < n && x < cols; i++) {
        tab_label(label, sizeof(label), &panes[i], i, st, i == active);
        attr_t at = draw_role(i == active ? THEME_TAB_ACTIVE : THEME_TAB);
        attron(at);
        int used = draw_text(y, x, cols - x, label);
        attroff(at);
        mouse_hit_add(hits, y, x, used, MOUSE_HIT_TAB, i);
        x += used + tabs_gap(st);
    }
}
