/* cores: the per-CPU perf counter collector ("cores"), its per-thread switch and a way to
 * open it on another backend (fixtures of raw readings in tests and demos). */
#ifndef GMPTOP_CORES_H
#define GMPTOP_CORES_H

#include <stdbool.h>
#include <stddef.h>

#include "collectors/collector.h"
#include "collectors/perf.h"

extern const struct collector_ops cores_collector;

/* Count per target thread as well (tiptop style). The TUI asks; the collector does it
 * at its next sample while the file-descriptor budget allows, and says in the snapshot
 * (cores.per_thread, cores.thread_note) what it managed. */
void cores_set_per_thread(bool on);
bool cores_per_thread_requested(void);

/* Open on a given backend instead of the real syscalls; b must outlive the state. The
 * collector's own open uses the real backend, or the fixture backend when the environment names
 * a fixture in GMPTOP_PERF_REPLAY (for demos and tests without a PMU). */
void *cores_open_backend(const struct perf_backend *b, const struct target *t,
                         char *reason, size_t len);

/* Per-thread event count (fds per thread) for the budget check; for tests. */
int cores_fds_per_thread(const void *state);

#endif
