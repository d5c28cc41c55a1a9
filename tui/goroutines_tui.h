/* goroutines_tui: what the goroutines pane (pane_goroutines.c) shares with its stack view
 * (goroutine_stack.c) and the main loop. */
#ifndef GMPTOP_GOROUTINES_TUI_H
#define GMPTOP_GOROUTINES_TUI_H

#include <stdbool.h>
#include <stddef.h>

#include "model/snapshot_goroutines.h"
#include "tui/pane.h"

/* How the pane opens when another pane sends a person to it. */
enum goroutines_focus {
    GOROUTINES_BY_COUNT,       /* from the scheduler's census: the biggest groups */
    GOROUTINES_BY_GROWTH,      /* from a goroutine_pileup finding: the growing groups */
};
void pane_goroutines_focus(struct pane *p, enum goroutines_focus how);

/* "main.worker  w.go:31" (with_file) or "main.worker"; "-" for an empty frame. */
void goroutines_fmt_frame(char *buf, size_t len, const struct gframe *f, bool with_file);
/* "45s", "12m", "2.5h"; "-" when the runtime recorded no wait (NAN). */
void goroutines_fmt_wait(char *buf, size_t len, double s);

/* The whole stack of group g (NULL: the group id no longer exists) over r, scrolled by
 * *scroll (clamped here); growth per second NAN when unknown. */
void goroutine_stack_draw(const struct goroutine_group *g, const struct goroutine_group *id,
                          double growth, const struct pane_rect *r, int *scroll);
/* A key in the stack view: false when it closes the view. */
bool goroutine_stack_key(int ch, int *scroll);

#endif
