/* pane_names: the short names panes go by in the settings file and in the rules
 * ("sched", "threads", ...): one table for both directions. */
#include "tui/pane.h"

#include <string.h>

static const char *const names[PANE_COUNT] = {
    [PANE_SCHED] = "sched", [PANE_LATENCY] = "latency", [PANE_CORES] = "cores",
    [PANE_NUMA] = "numa", [PANE_THREADS] = "threads", [PANE_DIAG] = "diag",
    [PANE_GOROUTINES] = "goroutines", [PANE_CPU] = "cpu",
};

int pane_id_by_name(const char *name)
{
    for (int i = 0; name && i < PANE_COUNT; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

const char *pane_name(int id)
{
    return id >= 0 && id < PANE_COUNT ? names[id] : NULL;
}
