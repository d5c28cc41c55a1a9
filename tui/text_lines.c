/* text_lines: a scrolled page of prepared lines. */
#include "tui/text_lines.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tui/draw.h"

void text_lines_add(struct text_lines *t, attr_t a, const char *fmt, ...)
{
    if (t->n >= t->max)
        return;
    struct text_line *l = &t->l[t->n++];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->text, sizeof(l->text), fmt, ap);
    va_end(ap);
    l->a = a;
    l->path = false;
}

void text_lines_draw(const struct text_lines *t, const struct pane_rect *r, int *scroll,
                     const char *hint)
{
    int y = r->y, end = r->y + r->h;
    int body = end - y - 1;
    if (body < 1)
        body = 1;
    if (*scroll > t->n - body)
        *scroll = t->n - body;
    if (*scroll < 0)
        *scroll = 0;
    int w = r->w - 2;
    for (int i = *scroll; i < t->n && y < end - 1; i++) {
        const char *s = t->l[i].text;
        char cut[sizeof(t->l[i].text) + 8];
        int len = (int)strlen(s);
        /* A long path keeps its end (file:line): "      ...gofixture/groups.go:31". */
        if (t->l[i].path && len > w && w > 12) {
            snprintf(cut, sizeof(cut), "      ...%s", s + len - (w - 9));
            s = cut;
        }
        attron(t->l[i].a);
        draw_text(y++, r->x + 1, w, s);
        attroff(t->l[i].a);
    }
    if (end - 1 > r->y) {
        attron(draw_role(THEME_DIM));
        draw_text(end - 1, r->x + 1, r->w - 2, hint);
        attroff(draw_role(THEME_DIM));
    }
}
