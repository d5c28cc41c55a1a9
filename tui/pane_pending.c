/* pane_pending: placeholders for the panes still to be built, saying what each will show. */
#include "tui/pane.h"

#include <ncurses.h>

#include "tui/draw.h"

struct pending_info {
    const char *tab, *short_tab, *title, *what, *issue;
};

/* Every pane is built now; the table stays for the next one. */
static const struct pending_info pending[PANE_THREADS] = { { 0 } };

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
