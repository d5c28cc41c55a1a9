/* text_lines: a scrolled page of prepared lines with one attribute each, and a hint on
 * its last row: what the stack views of the goroutines and CPU panes draw. */
#ifndef GMPTOP_TEXT_LINES_H
#define GMPTOP_TEXT_LINES_H

#include <stdbool.h>
#include <ncurses.h>

#include "tui/pane.h"

struct text_line {
    char text[600];
    attr_t a;
    bool path;                 /* a file:line: cut on the left, so the line number stays */
};

struct text_lines {
    struct text_line *l;       /* the caller's, max of them */
    int n, max;
};

/* One more line (ignored past max). */
void text_lines_add(struct text_lines *t, attr_t a, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The lines over r from *scroll (clamped here), the hint dim on r's last row. */
void text_lines_draw(const struct text_lines *t, const struct pane_rect *r, int *scroll,
                     const char *hint);

#endif
