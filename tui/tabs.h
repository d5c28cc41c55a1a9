/* tabs: the row of pane tabs under the header, which must show every pane's number at
 * any width the app draws at (40 columns and up). */
#ifndef GMPTOP_TABS_H
#define GMPTOP_TABS_H

#include "tui/mouse.h"
#include "tui/pane.h"

/* Draw the n panes' tabs on row y across cols columns, the active one (-1: none, the
 * picker is open) highlighted, and record each as a click target in hits. */
void tabs_draw(const struct pane *panes, int n, int active, struct mouse_hits *hits, int y,
               int cols);

#endif
