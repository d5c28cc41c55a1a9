/* header: the top of the screen: which process, its Go version and age, and CPU bars. */
#ifndef GMPTOP_HEADER_H
#define GMPTOP_HEADER_H

#include <stddef.h>

#include "tui/pane.h"

/* Header: title line (pid, command, Go version, uptime, process CPU sparkline, PAUSED)
 * then per-CPU bars in at most max_bar_rows rows (compact one-line form when they do
 * not fit). cpu_hist holds the process CPU % of the last nhist ticks, oldest first.
 * Returns the rows used. */
int header_draw(const struct pane_view *v, int y, int cols, int max_bar_rows,
                const double *cpu_hist, size_t nhist);

#endif
