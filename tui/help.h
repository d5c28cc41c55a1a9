/* help: the F1 overlay that explains every figure on screen in plain words, and the
 * scrolling text overlay it is drawn with. */
#ifndef GMPTOP_HELP_H
#define GMPTOP_HELP_H

#include <stdbool.h>
#include <stddef.h>

/* Help overlay over the whole screen above the footer. help_key returns false when
 * the key closes the help (any key but the scroll keys). */
void help_draw(int rows, int cols, int *scroll);
bool help_key(int ch, int *scroll);
/* Where the help of the pane with number key ("Goroutines pane (7)") starts, as a scroll
 * for help_draw(rows, cols): F1 opens on the pane in view. 0 when none has that key. */
int help_scroll_for_pane(int key, int rows, int cols);

/* A scrolling text overlay (the help, a diagnosis explained): paragraphs word-wrapped in
 * a frame titled title, headings bold and set off by a blank row; *scroll is clamped to
 * the text. Scroll it with help_key. */
struct help_para {
    bool heading;
    const char *text;
};
void help_overlay_draw(int rows, int cols, const char *title, const struct help_para *paras,
                       size_t n, int *scroll);

#endif
