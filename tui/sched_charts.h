/* sched_charts: what the scheduler pane adds when the terminal has rows to spare. */
#ifndef GMPTOP_SCHED_CHARTS_H
#define GMPTOP_SCHED_CHARTS_H

#include <stddef.h>

#include "model/history.h"

/* Draw, in rows y..y+rows-1 and columns x..x+w-1, the goroutine census over time and
 * each P's runqueue length as a chart several rows tall, both over as many ticks as the
 * width holds, ending at the snapshot `age` ticks old in h. Returns the rows used (0
 * when there is not enough room for them to say more than the table already does). */
int sched_charts_draw(const struct history *h, size_t age, int y, int x, int w, int rows);

#endif
